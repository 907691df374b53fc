import { fileURLToPath } from 'node:url';

// Running c2c (the real bin in a child process, or runCli in this one) is @c2c-kit/testing's,
// for tests outside this package too.
export { type BinResult, runBin } from '@c2c-kit/testing';
export { runCliInProcess } from '@c2c-kit/testing/cli';

export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

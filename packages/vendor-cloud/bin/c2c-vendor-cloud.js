#!/usr/bin/env node
// npm links bins while it installs, before `prepare` has built dist/: this file exists at that
// moment, so `npx c2c-vendor-cloud` is linked right after `npm ci`. The program itself is dist/bin.js.
const entry = new URL('../dist/bin.js', import.meta.url);
await import(entry.href).catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(entry.pathname))
    throw error;
  process.stderr.write(
    'c2c-vendor-cloud: not built yet; run `npm run build` in the c2c-kit checkout\n',
  );
  process.exit(2);
});

import type { EmulatorCredential } from '../../src/index.js';

/**
 * The key pair tests start emulators with, passed explicitly (`credentials: [TEST_CREDENTIALS]`):
 * the emulator itself ships no fixed key, it generates one per data dir or start.
 */
// Not frozen: AWS SDK clients given this object record where credentials came from on it.
export const TEST_CREDENTIALS: EmulatorCredential = {
  accessKeyId: 'AKIAC2CKITTEST000001',
  secretAccessKey: 'c2c-kit-test-secret-access-key-000000001',
  accountId: '111122223333',
};

/** A second account's key pair, for tests of what one account sees of another's resources. */
export const OTHER_ACCOUNT_CREDENTIALS: EmulatorCredential = {
  accessKeyId: 'AKIAC2CKITOTHER00001',
  secretAccessKey: 'c2c-kit-other-secret-access-key-00000001',
  accountId: '444455556666',
};

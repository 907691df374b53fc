import type { EmulatorCredential } from '@c2c-kit/emulator';

/** The region test emulators and their clients use. */
export const TEST_REGION = 'us-east-1';

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

/**
 * The configuration an AWS SDK v3 client needs to reach an emulator at `endpoint`, signing as
 * `TEST_CREDENTIALS`. A partial key pair in `credentials` overrides it (a wrong secret, to see a
 * request refused).
 */
export function sdkClientConfig(
  endpoint: string,
  credentials: Partial<Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey'>> = {},
) {
  return {
    endpoint,
    region: TEST_REGION,
    credentials: {
      accessKeyId: TEST_CREDENTIALS.accessKeyId,
      secretAccessKey: TEST_CREDENTIALS.secretAccessKey,
      ...credentials,
    },
  };
}

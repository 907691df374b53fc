import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CREDENTIALS_FILE_NAME,
  DataDirInUseError,
  EmulatorConfigError,
  generateCredentials,
  NonLoopbackHostError,
  type RunningEmulator,
  startEmulator,
} from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'c2c-datadir-'));
let n = 0;
const fresh = () => join(root, `d${n++}`);
const mode = (path: string) => statSync(path).mode & 0o777;

// Umask 0 would let a plain create make 0666 files and 0777 directories: the modes below must
// come from chmod, not from the umask of the machine running the test.
let savedUmask: number;
beforeEach(() => {
  savedUmask = process.umask(0);
});
afterEach(() => {
  process.umask(savedUmask);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Lists queues signed with `key`: `'ok'`, or the name of the error the emulator answered. */
async function signedAs(
  emu: RunningEmulator,
  key: { accessKeyId: string; secretAccessKey: string },
): Promise<string> {
  const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  const sqs = new SQSClient({ endpoint: emu.url, region: 'us-east-1', credentials });
  try {
    await sqs.send(new ListQueuesCommand({}));
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  } finally {
    sqs.destroy();
  }
}

describe('generated credentials', () => {
  it('have the shape of AWS keys and differ every time', () => {
    const a = generateCredentials();
    const b = generateCredentials('123456789012');
    expect(a.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(a.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(a.accountId).toBe('111122223333');
    expect(b.accountId).toBe('123456789012');
    expect(b.accessKeyId).not.toBe(a.accessKeyId);
    expect(b.secretAccessKey).not.toBe(a.secretAccessKey);
  });

  it('in memory: a new pair each start, the one SigV4 accepts', async () => {
    const first = await startEmulator({ memory: true });
    const second = await startEmulator({ memory: true });
    try {
      expect(first.credentials).toEqual(first.app.emulatorConfig.credentials[0]);
      // An SDK client may be given it directly.
      const direct = new SQSClient({
        endpoint: first.url,
        region: 'us-east-1',
        credentials: first.credentials,
      });
      await direct.send(new ListQueuesCommand({}));
      direct.destroy();
      expect(second.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
      expect(await signedAs(first, first.credentials)).toBe('ok');
      // Another start's key, or the fixed test key, is an unknown key here.
      expect(await signedAs(first, second.credentials)).toBe('UnrecognizedClientException');
      expect(await signedAs(first, TEST_CREDENTIALS)).toBe('UnrecognizedClientException');
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('data directory', () => {
  it('generates the pair once, keeps it 0600 in a 0700 dir, and reuses it on the next start', async () => {
    const dir = fresh();
    const first = await startEmulator({ dataDir: dir, accountId: '444455556666' });
    const key = { ...first.credentials };
    expect(key.accountId).toBe('444455556666');
    expect(await signedAs(first, key)).toBe('ok');
    await first.close();

    const file = join(dir, CREDENTIALS_FILE_NAME);
    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(join(dir, 'emulator.sqlite'))).toBe(0o600);
    // The account is not stored: it is not a secret, and --account-id may change it.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
    });

    const second = await startEmulator({ dataDir: dir });
    try {
      expect(second.credentials).toEqual({ ...key, accountId: '111122223333' });
      expect(await signedAs(second, key)).toBe('ok');
      // While it runs, SQLite's write-ahead log exists and has the database file's mode.
      expect(mode(join(dir, 'emulator.sqlite-wal'))).toBe(0o600);
      expect(mode(join(dir, 'emulator.lock'))).toBe(0o600);
    } finally {
      await second.close();
    }
    expect(existsSync(join(dir, 'emulator.lock'))).toBe(false);
  });

  it('creates missing parents 0700 too', async () => {
    const parent = fresh();
    const dir = join(parent, 'a', 'b');
    const emu = await startEmulator({ dataDir: dir });
    await emu.close();
    expect([parent, join(parent, 'a'), dir].map(mode)).toEqual([0o700, 0o700, 0o700]);
  });

  it('keeps the mode of a directory the user made, and tightens the files it owns', async () => {
    const dir = fresh();
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    // Files an older version left readable by everyone.
    writeFileSync(join(dir, 'emulator.sqlite'), '');
    chmodSync(join(dir, 'emulator.sqlite'), 0o644);
    const pair = generateCredentials();
    const file = join(dir, CREDENTIALS_FILE_NAME);
    writeFileSync(file, JSON.stringify(pair));
    chmodSync(file, 0o644);

    const emu = await startEmulator({ dataDir: dir });
    try {
      expect(emu.credentials.accessKeyId).toBe(pair.accessKeyId);
      expect(mode(dir)).toBe(0o755);
      expect(mode(file)).toBe(0o600);
      expect(mode(join(dir, 'emulator.sqlite'))).toBe(0o600);
    } finally {
      await emu.close();
    }
  });

  it('given credentials are used as they are and not written to the data dir', async () => {
    const dir = fresh();
    const emu = await startEmulator({ dataDir: dir, credentials: [TEST_CREDENTIALS] });
    try {
      expect(emu.credentials).toEqual(TEST_CREDENTIALS);
      expect(existsSync(join(dir, CREDENTIALS_FILE_NAME))).toBe(false);
    } finally {
      await emu.close();
    }
  });

  it('a damaged credentials file is a start-up error naming it, and leaves no lock behind', async () => {
    const dir = fresh();
    mkdirSync(dir);
    const file = join(dir, CREDENTIALS_FILE_NAME);
    writeFileSync(file, '{"accessKeyId": "AKIA');
    await expect(startEmulator({ dataDir: dir })).rejects.toThrow(EmulatorConfigError);
    await expect(startEmulator({ dataDir: dir })).rejects.toThrow(`${file}: not valid JSON`);
    writeFileSync(file, '{"accessKeyId": "AKIAX", "secretAccessKey": ""}');
    await expect(startEmulator({ dataDir: dir })).rejects.toThrow(/"secretAccessKey"/);
    writeFileSync(file, JSON.stringify(TEST_CREDENTIALS));
    const emu = await startEmulator({ dataDir: dir });
    expect(emu.credentials.accessKeyId).toBe(TEST_CREDENTIALS.accessKeyId);
    await emu.close();
  });

  it('a second emulator on the same directory is refused while the first runs', async () => {
    const dir = fresh();
    const first = await startEmulator({ dataDir: dir });
    try {
      const refused = await startEmulator({ dataDir: dir }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DataDirInUseError);
      expect((refused as DataDirInUseError).pid).toBe(process.pid);
      expect((refused as Error).message).toContain(dir);
    } finally {
      await first.close();
    }
    // Closed: the directory is free again.
    const again = await startEmulator({ dataDir: dir });
    await again.close();
  });
});

describe('listen address', () => {
  it('refuses a non-loopback host unless allowNonLoopback says so', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.1', 'example.com']) {
      await expect(startEmulator({ memory: true, host })).rejects.toThrow(NonLoopbackHostError);
    }
    for (const host of ['127.0.0.1', 'localhost']) {
      const emu = await startEmulator({ memory: true, host });
      await emu.close();
    }
  });
});

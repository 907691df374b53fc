import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  generateWebhookSecret,
  type StartedVendorCloud,
  startVendorCloud,
} from '@c2c-kit/vendor-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin.js';
import { conformance } from './run.js';

// `c2c test --vendor-config`: the connector's resource server is a cloud the suite knows only
// from the file — here a vendor simulator started by this test, with its own user, devices,
// OAuth client and webhook secret, reached by the suite and the connector through the file alone.
// What the file leaves out is reported "not run", never passed.

const ACME_DIR = fileURLToPath(new URL('../../../../examples/acme-connector', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'c2c-vendor-config-'));
const secret = generateWebhookSecret();
let cloud: StartedVendorCloud;

function write(name: string, config: unknown): string {
  const file = join(root, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function fullConfig(url: string) {
  return {
    apiUrl: url,
    oauth: {
      authorizeUrl: `${url}/oauth/authorize`,
      tokenUrl: `${url}/oauth/token`,
      clientId: 'vc-client',
      clientSecret: 'vc-client-secret-0123',
      revokeUrl: `${url}/oauth/revoke`,
    },
    user: {
      username: 'vera',
      password: 'vera-password-4711',
      profile: { name: 'Vera Configured' },
    },
    webhookSecret: secret,
    env: { ACME_CLIENT_ID: 'vc-client', ACME_CLIENT_SECRET: 'vc-client-secret-0123' },
    setup: [
      {
        method: 'PUT',
        url: `${url}/_sim/webhooks/config`,
        body: { url: '{{functionUrl}}', secret },
      },
    ],
    devices: {
      add: {
        method: 'POST',
        url: `${url}/_sim/devices`,
        body: { deviceId: '{{deviceId}}', kind: 'light', owner: 'vera' },
      },
      remove: { method: 'DELETE', url: `${url}/_sim/devices/{{deviceId}}` },
    },
    stateChange: {
      deviceId: 'vc-light-1',
      request: {
        method: 'POST',
        url: `${url}/api/v1/devices/vc-light-1/commands`,
        headers: { authorization: 'Bearer {{accessToken}}' },
        body: { command: 'setBrightness', params: { brightness: '{{value}}' } },
      },
    },
  };
}

beforeAll(async () => {
  cloud = await startVendorCloud({
    port: 0,
    users: [{ username: 'vera', password: 'vera-password-4711', displayName: 'Vera Configured' }],
    devices: [
      { deviceId: 'vc-light-1', kind: 'light', owner: 'vera', name: 'Config light' },
      { deviceId: 'vc-lock-1', kind: 'lock', owner: 'vera', name: 'Config lock' },
    ],
    clients: [
      {
        clientId: 'vc-client',
        clientSecret: 'vc-client-secret-0123',
        redirectUris: ['http://127.0.0.1/_local/oauth/callback'],
      },
    ],
    webhookSecret: secret,
  });
});

afterAll(async () => {
  await cloud?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('c2c test --vendor-config', () => {
  it("runs every check the file allows against that cloud; the vendor's own state check is not run", async () => {
    const file = write('full.json', fullConfig(cloud.url));
    const run = await conformance(ACME_DIR, ['--vendor-config', file], []);
    const why = JSON.stringify(
      run.report.results.filter((r) => r.status !== 'pass'),
      null,
      2,
    );
    expect(run.failed, why).toEqual([]);
    expect(run.notRun, why).toEqual(['commands.vendor-state']);
    expect(run.code).toBe(3);
    expect(run.report.summary.ran).toBe(run.report.results.length - 1);
    // The cloud of the file is the one tested: its devices were discovered and its webhooks sent.
    const discovery = run.report.results.find((r) => r.id === 'discovery.discovery-id');
    expect(discovery?.reason).toBe('2 device(s)');
    const delivered = cloud.webhooks.log().filter((d) => d.state === 'delivered');
    expect(delivered.length).toBeGreaterThan(0);
  }, 180_000);

  it('a file without login, revocation, devices or state changes: those checks are not run', async () => {
    const { apiUrl, oauth, webhookSecret, env } = fullConfig(cloud.url);
    const { revokeUrl: _none, ...noRevoke } = oauth;
    const file = write('thin.json', {
      apiUrl,
      oauth: noRevoke,
      // An access token alone: enough for the direct probes, not for linking an account.
      user: { accessToken: 'an-access-token-of-the-test-user' },
      webhookSecret,
      env,
    });
    const run = await conformance(ACME_DIR, ['--vendor-config', file, '--only', 'contract'], []);
    // Linking needs a login: ActivateUser through the service, and what follows, cannot run.
    const notRun = Object.fromEntries(
      run.report.results.filter((r) => r.status === 'not run').map((r) => [r.id, r.reason]),
    );
    expect(notRun['contract.expired-token']).toMatch(/revokeUrl/);
    expect(notRun['contract.activate-user']).toMatch(/user\.username and user\.password/);
    expect(run.failed).toEqual([]);
    expect(run.code).toBe(3);
  }, 180_000);

  it('refuses a file that is not a vendor config, naming the field', async () => {
    const file = write('bad.json', { ...fullConfig(cloud.url), oauth: { tokenUrl: 'ftp://x' } });
    const r = await runBin(['test', '--connector', ACME_DIR, '--vendor-config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `c2c test: --vendor-config ${file}: oauth.authorizeUrl: expected an http(s) URL`,
    );
    const missing = await runBin([
      'test',
      '--connector',
      ACME_DIR,
      '--vendor-config',
      join(root, 'nope.json'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  }, 60_000);
});

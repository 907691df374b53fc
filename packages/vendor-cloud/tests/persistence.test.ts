import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startVendorCloud, VendorConfigError } from '../src/index.js';
import { basic, bearer, CLIENT_ID, CLIENT_SECRET, FORM, form, http, login } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vendor-state-'));
  dirs.push(dir);
  return join(dir, 'nested', 'vendor-cloud.json');
}

describe('state file', () => {
  it('keeps tokens and device state across a restart, but not rotated or revoked tokens', async () => {
    // Prepare
    const file = stateFile();
    const first = await startVendorCloud({ stateFile: file, tickIntervalMs: 0 });
    const alice = await login(first.url, 'alice', 'alice-password');
    const bob = await login(first.url, 'bob', 'bob-password');
    const rotated = await http(`${first.url}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
      body: form({ grant_type: 'refresh_token', refresh_token: alice.refresh_token }),
    });
    const aliceNew = rotated.json() as { access_token: string; refresh_token: string };
    await http(`${first.url}/oauth/revoke`, {
      method: 'POST',
      headers: FORM,
      body: form({ token: bob.access_token }),
    });
    await http(`${first.url}/api/v1/devices/fan-1/commands`, {
      method: 'POST',
      headers: { ...bearer(aliceNew.access_token), 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'setMode', params: { mode: 'high' } }),
    });
    await first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(alice.refresh_token);

    // Act
    const second = await startVendorCloud({ stateFile: file, tickIntervalMs: 0 });
    try {
      // Assess
      const fan = await http(`${second.url}/api/v1/devices/fan-1`, {
        headers: bearer(aliceNew.access_token),
      });
      expect(fan.status).toBe(200);
      expect(fan.json()).toMatchObject({ state: { mode: 'high', speedPercent: 100 } });
      const refresh = (token: string) =>
        http(`${second.url}/oauth/token`, {
          method: 'POST',
          headers: { ...FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
          body: form({ grant_type: 'refresh_token', refresh_token: token }),
        });
      expect((await refresh(alice.refresh_token)).status).toBe(400); // rotated away before restart
      expect((await refresh(aliceNew.refresh_token)).status).toBe(200);
      expect(
        (await http(`${second.url}/api/v1/devices`, { headers: bearer(bob.access_token) })).status,
      ).toBe(401);
      expect((await refresh(bob.refresh_token)).status).toBe(400); // revoked with its grant
    } finally {
      await second.close();
    }
  });

  it('refuses to start on a corrupt state file, naming it', async () => {
    const file = stateFile();
    const first = await startVendorCloud({ stateFile: file, tickIntervalMs: 0 });
    await first.close();
    writeFileSync(file, '{"version":');
    await expect(startVendorCloud({ stateFile: file, tickIntervalMs: 0 })).rejects.toThrow(
      VendorConfigError,
    );
    await expect(startVendorCloud({ stateFile: file, tickIntervalMs: 0 })).rejects.toThrow(
      /not valid JSON/,
    );
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startVendorCloud, VendorConfigError } from '../src/index.js';
import {
  authorize,
  basic,
  bearer,
  CLIENT_ID,
  CLIENT_SECRET,
  FORM,
  form,
  http,
  login,
  REDIRECT_URI,
} from './helpers.js';

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

  it('keeps users, devices and OAuth clients, also those added at run time or configured once', async () => {
    // Prepare: a client only the first start configures, and a user and device added at run time.
    const file = stateFile();
    const partner = {
      clientId: 'partner',
      clientSecret: 'partner-secret',
      redirectUris: [REDIRECT_URI],
    };
    const first = await startVendorCloud({
      stateFile: file,
      tickIntervalMs: 0,
      clients: [
        { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] },
        partner,
      ],
    });
    const json = { 'content-type': 'application/json' };
    const user = await http(`${first.url}/_sim/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'dave', password: 'dave-password', displayName: 'Dave' }),
    });
    expect(user.status, user.text).toBe(201);
    const device = await http(`${first.url}/_sim/devices`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ deviceId: 'fan-9', kind: 'fan', owner: 'dave', name: 'Attic fan' }),
    });
    expect(device.status, device.text).toBe(201);
    const dave = await login(first.url, 'dave', 'dave-password');
    await http(`${first.url}/api/v1/devices/fan-9/commands`, {
      method: 'POST',
      headers: { ...bearer(dave.access_token), ...json },
      body: JSON.stringify({ command: 'setMode', params: { mode: 'low' } }),
    });
    await first.close();
    const saved = readFileSync(file, 'utf8');
    expect(JSON.parse(saved)).toMatchObject({
      version: 2,
      users: expect.arrayContaining([expect.objectContaining({ username: 'dave' })]),
      clients: expect.arrayContaining([expect.objectContaining({ clientId: 'partner' })]),
      devices: expect.arrayContaining([
        expect.objectContaining({ deviceId: 'fan-9', kind: 'fan', owner: 'dave' }),
      ]),
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Act: a plain start, configuring neither the partner client nor dave.
    const second = await startVendorCloud({ stateFile: file, tickIntervalMs: 0 });
    try {
      // Assess: dave's token still works, on his device, with its state.
      const fans = await http(`${second.url}/api/v1/devices`, {
        headers: bearer(dave.access_token),
      });
      expect(fans.status, fans.text).toBe(200);
      expect(fans.json()).toEqual({
        devices: [
          expect.objectContaining({
            deviceId: 'fan-9',
            name: 'Attic fan',
            state: expect.objectContaining({ mode: 'low' }),
          }),
        ],
      });
      // He can log in again, and the partner client still exchanges codes.
      expect((await login(second.url, 'dave', 'dave-password')).access_token).toMatch(/^acme_at_/);
      const { code } = await authorize(second.url, 'alice', 'alice-password', {
        client_id: 'partner',
      });
      const token = await http(`${second.url}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic('partner', 'partner-secret') },
        body: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
      });
      expect(token.status, token.text).toBe(200);
      // A user or device that exists already is refused, naming the field.
      const again = await http(`${second.url}/_sim/users`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'dave', password: 'x' }),
      });
      expect(again.status).toBe(400);
      expect(again.json()).toMatchObject({
        error: { code: 'invalid_request', path: 'body.username' },
      });
      const orphan = await http(`${second.url}/_sim/devices`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ deviceId: 'lamp-9', kind: 'light', owner: 'nobody' }),
      });
      expect(orphan.status).toBe(400);
      expect(orphan.json()).toMatchObject({ error: { path: 'body.owner' } });
    } finally {
      await second.close();
    }
  });

  it('reads a version 1 file (tokens and device state only)', async () => {
    const file = stateFile();
    const first = await startVendorCloud({ stateFile: file, tickIntervalMs: 0 });
    const alice = await login(first.url, 'alice', 'alice-password');
    await first.close();
    const v2 = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const v1 = {
      version: 1,
      savedAt: v2.savedAt,
      tokens: v2.tokens,
      devices: (v2.devices as Array<Record<string, unknown>>).map(
        ({ deviceId, kind, online, state }) => ({
          deviceId,
          kind,
          online,
          state,
        }),
      ),
    };
    writeFileSync(file, JSON.stringify(v1));
    const second = await startVendorCloud({ stateFile: file, tickIntervalMs: 0 });
    try {
      const devices = await http(`${second.url}/api/v1/devices`, {
        headers: bearer(alice.access_token),
      });
      expect(devices.status, devices.text).toBe(200);
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

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevStack, runDemo, startDevStack } from '@c2c-kit/cli';
import { afterAll, describe, expect, it } from 'vitest';

// A vendor user with more devices than one page of ListDiscoveredDevices holds (100 by default):
// the demo links every one of them, not the first page only. A device left without a managed
// thing has its events refused (ResourceNotFoundException) for as long as the stack runs.

const EXTRA = 110;
let dataDir: string | undefined;
let stack: DevStack | undefined;

afterAll(async () => {
  await stack?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('c2c dev --demo with more than a page of devices', () => {
  it('creates and registers a managed thing for every discovered device', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'c2c-e2e-many-'));
    stack = await startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
    const ids = Array.from({ length: EXTRA }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    for (const deviceId of ids) {
      const added = await fetch(`${stack.vendorCloudUrl}/_sim/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId, kind: 'thermostat', owner: 'alice' }),
      });
      expect(added.status).toBe(201);
    }
    const quiet = () => {};
    const result = await runDemo(stack, { step: quiet, ok: quiet, detail: quiet });

    const registered = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await stack.client.send('ListManagedThingAccountAssociations', {
        AccountAssociationId: result.accountAssociationId,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      });
      const body = page.body as { Items?: Array<{ ManagedThingId: string }>; NextToken?: string };
      for (const item of body.Items ?? []) registered.add(item.ManagedThingId);
      nextToken = body.NextToken;
    } while (nextToken !== undefined);
    const things = await stack.client.send('ListManagedThings', { MaxResults: 1000 });
    const byDevice = new Map(
      ((things.body as { Items?: Array<{ Id: string; ConnectorDeviceId?: string }> }).Items ?? [])
        .filter((t) => registered.has(t.Id))
        .map((t) => [t.ConnectorDeviceId, t.Id] as const),
    );
    expect(ids.filter((id) => !byDevice.has(id))).toEqual([]);
  }, 180_000);
});

import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevStack, startDevStack } from '@c2c-kit/cli';
import { until } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addThing,
  call,
  deviceEventsAbout,
  discover,
  linkAccount,
  setFanMode,
} from './helpers/customer.js';

// `npm start` twice on one data directory: the account linked by the first start still discovers,
// commands and hears its devices after the second. The simulated vendor cloud keeps its users,
// devices, OAuth clients and the tokens it issued in <data-dir>/vendor-cloud.json (0600), and the
// second start listens where the first did, as `c2c dev` does with its default ports.

let dataDir: string;
let first: DevStack;
let second: DevStack | undefined;
const ids: Record<string, string> = {};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'c2c-restart-'));
  first = await startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
}, 90_000);

afterAll(async () => {
  await first?.close();
  await second?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('c2c dev restarted on the same data directory', () => {
  it('first start: link alice, add her fan and camera, set the fan to High', async () => {
    ids.association = await linkAccount(first, 'alice', 'alice-password');
    const discovery = await discover(first, ids.association);
    expect(discovery.status).toBe('SUCCEEDED');
    const fan = await addThing(first, ids.association, discovery, 'fan-1');
    const camera = await addThing(first, ids.association, discovery, 'cam-1');
    ids.fan = fan.id;
    ids.camera = camera.id;
    ids.cameraArn = camera.arn;
    await setFanMode(first, ids.fan, 3);
    ids.destination = first.connectorDestinationId;
    ids.vendorPort = new URL(first.vendorCloudUrl).port;
    await first.close();
    // The vendor's state (it holds bearer tokens and secrets) is private like the rest.
    expect(statSync(join(dataDir, 'vendor-cloud.json')).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('second start: the same link discovers, commands and relays its events', async () => {
    second = await startDevStack({
      dataDir,
      emulatorPort: 0,
      vendorPort: Number(ids.vendorPort),
      dashboardPort: 0,
    });
    const stack = second;
    // Nothing was registered again: the destination and the link are the first start's.
    expect(stack.connectorDestinationId).toBe(ids.destination);
    const link = await call<{ AssociationState: string }>(stack, 'GetAccountAssociation', {
      AccountAssociationId: ids.association,
    });
    expect(link.AssociationState).toBe('ASSOCIATION_SUCCEEDED');

    // Discovery through yesterday's link: the vendor still honours its token.
    const discovery = await discover(stack, ids.association as string);
    expect(discovery.status).toBe('SUCCEEDED');
    expect(discovery.devices).toHaveLength(6);
    expect(discovery.devices.find((d) => d.ConnectorDeviceId === 'fan-1')).toMatchObject({
      ManagedThingId: ids.fan,
      Modification: 'NO_CHANGE',
    });
    const registrations = await call<{ Items: unknown[] }>(
      stack,
      'ListManagedThingAccountAssociations',
      { AccountAssociationId: ids.association },
    );
    expect(registrations.Items).toHaveLength(2);

    // The vendor kept the fan's state; a command through the old link changes it.
    await setFanMode(stack, ids.fan as string, 1);
    const fan = await fetch(`${stack.vendorCloudUrl}/_sim/devices`);
    const devices = ((await fan.json()) as { devices: Array<Record<string, unknown>> }).devices;
    expect(devices.find((d) => d.deviceId === 'fan-1')?.state).toMatchObject({ mode: 'low' });

    // Device events still reach the customer: the vendor still counts alice as linked.
    const before = (await deviceEventsAbout(stack, ids.cameraArn as string)).length;
    await stack.triggerVendorEvent('cam-1', 'motion');
    await until('the motion DEVICE_EVENT', async () =>
      (await deviceEventsAbout(stack, ids.cameraArn as string)).length > before ? true : undefined,
    );
  }, 90_000);
});

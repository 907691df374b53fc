// One host of the chaos run, in a process of its own so that SIGKILL is real: the whole `c2c dev`
// stack (emulator with its Lambda host and connector workers, vendor cloud, local Kinesis,
// dashboard) on a data directory and fixed ports. With --setup it first adds the chaos devices to
// the vendor cloud and links them (runDemo: discovery, managed things, RegisterAccountAssociation).
// Prints one `CHAOS_READY {json}` line when it serves; SIGTERM closes it.
// Usage: node --import tsx chaos/host.ts --data-dir D --emulator-port P --vendor-port V
//          [--faults throttle=0.2,error=0.05,latency=20ms] [--setup-devices N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDemo, startDevStack } from '@c2c-kit/cli';
import { parseFaults } from '@c2c-kit/emulator';
import { chaosDeviceId } from './plan.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'emulator-port': { type: 'string' },
    'vendor-port': { type: 'string' },
    faults: { type: 'string' },
    'setup-devices': { type: 'string' },
  },
});
const dataDir = values['data-dir'];
if (dataDir === undefined) throw new Error('--data-dir is required');

const stack = await startDevStack({
  dataDir,
  emulatorPort: Number(values['emulator-port'] ?? 0),
  vendorPort: Number(values['vendor-port'] ?? 0),
  dashboardPort: 0,
});
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  void stack.close().finally(() => process.exit(0));
});

const devices = Number(values['setup-devices'] ?? 0);
if (devices > 0) {
  for (let i = 0; i < devices; i++) {
    const response = await fetch(`${stack.vendorCloudUrl}/_sim/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: chaosDeviceId(i), kind: 'thermostat', owner: 'alice' }),
    });
    // 409: the device exists (a second setup on the same data directory).
    if (!response.ok && response.status !== 409) {
      throw new Error(
        `add device ${chaosDeviceId(i)}: ${response.status} ${await response.text()}`,
      );
    }
  }
  const quiet = () => {};
  // The demo links the devices (discovery, managed things, RegisterAccountAssociation) in its
  // first steps; its later steps (camera, fan) do not matter here, so a failure there is only
  // fatal if a chaos device has no managed thing. Checked either way: a device without one has
  // every event refused, which the run would only show as stuck parked events.
  const demoError = await runDemo(stack, { step: quiet, ok: quiet, detail: quiet }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const have = new Set<string | undefined>();
  let nextToken: string | undefined;
  do {
    const page = await stack.client.send('ListManagedThings', {
      MaxResults: 1000,
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    });
    const body = page.body as { Items?: Array<{ ConnectorDeviceId?: string }>; NextToken?: string };
    for (const thing of body.Items ?? []) have.add(thing.ConnectorDeviceId);
    nextToken = body.NextToken;
  } while (nextToken !== undefined);
  const missing = Array.from({ length: devices }, (_, i) => chaosDeviceId(i)).filter(
    (id) => !have.has(id),
  );
  if (missing.length > 0) {
    if (demoError !== undefined) throw demoError;
    throw new Error(`set-up: no managed thing for ${missing.length} devices (${missing[0]}, …)`);
  }
}
if (values.faults) stack.setFaults(parseFaults(values.faults));

const users = (await (await fetch(`${stack.vendorCloudUrl}/_sim/users`)).json()) as {
  users: Array<{ username: string; userId: string }>;
};
const secret = (
  JSON.parse(readFileSync(join(dataDir, 'dev-stack.json'), 'utf8')) as { webhookSecret: string }
).webhookSecret;
const ready = {
  emulatorUrl: stack.emulatorUrl,
  functionUrl: stack.functionUrl,
  connectorId: stack.connectorId,
  outboxQueueUrl: stack.outboxQueueUrl,
  deadLetterQueueUrl: stack.deadLetterQueueUrl,
  region: stack.region,
  accessKeyId: stack.customer.credentials.accessKeyId,
  secretAccessKey: stack.customer.credentials.secretAccessKey,
  userId: users.users.find((u) => u.username === 'alice')?.userId,
  webhookSecret: secret,
};
process.stdout.write(`CHAOS_READY ${JSON.stringify(ready)}\n`);

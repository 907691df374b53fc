// Server side of ingest.bench.ts (run pinned to CPU 0): `bare` is a plain Fastify POST route that
// parses JSON and answers 202; `emulator` is the real emulator with a connector, an activated
// account association and a managed thing, so DEVICE_EVENT takes the full path: SigV4 verify →
// validate → route → group-committed insert + state merge → notifications → 202.

import { readFileSync } from 'node:fs';
import { buildEmulator, parseFaults } from '@c2c-kit/emulator';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import Fastify from 'fastify';

const mode = process.argv[2];
const dataDir = process.argv[3];
// `--retain-events` and `--faults` text; the emulator's defaults when empty.
const retainEvents = process.argv[4] || undefined;
const faults = process.argv[5] ? parseFaults(process.argv[5]) : undefined;

// Server CPU per request (user + system), immune to how much wall time other processes take.
let served = 0;

// The soak's memory samples (retention.bench.ts), asked for over the IPC channel the bench opens
// when it starts this process, never over HTTP: the memory as it is, then right after a full
// mark-compact when run with --expose-gc. Read at an arbitrary moment, the RSS says where V8 is
// between two major GCs; read after one, what is still live, so a leak shows as a climb.
const memoryNow = () => {
  const m = process.memoryUsage();
  // On Linux, how much of the RSS is anonymous memory (heaps: V8's, malloc's) and how much is
  // files mapped in (the program, its libraries): what can leak is the first.
  let anon: number | undefined;
  try {
    const kb = /RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    anon = kb === undefined ? undefined : Number(kb) * 1024;
  } catch {}
  return { rss: m.rss, anon, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external };
};
process.on('message', (message) => {
  if (message !== 'memory') return;
  const before = memoryNow();
  const gc = globalThis.gc;
  gc?.();
  process.send?.({ memory: { before, after: gc === undefined ? null : memoryNow() } });
});
let cpuAtReady = process.cpuUsage();
/** Prints the CPU per request served, then `extra()`: read after the CPU, so not charged to it. */
function report(extra: () => Record<string, unknown> = () => ({})): void {
  const cpu = process.cpuUsage(cpuAtReady);
  const cpuUs = cpu.user + cpu.system;
  process.stdout.write(
    `${JSON.stringify({
      served,
      cpuUsPerRequest: served === 0 ? 0 : cpuUs / served,
      userUsPerRequest: served === 0 ? 0 : cpu.user / served,
      ...extra(),
    })}\n`,
  );
}

if (mode === 'bare') {
  const app = Fastify();
  app.addHook('onResponse', (_req, _reply, done) => {
    served++;
    done();
  });
  app.post('/connector-event/:id', async (_req, reply) => reply.code(202).send({}));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  cpuAtReady = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ ready: true, port: address.port })}\n`);
  process.on('SIGTERM', () => {
    report();
    app.close().then(() => process.exit(0));
  });
} else {
  const app = buildEmulator({
    dataDir,
    credentials: [TEST_CREDENTIALS],
    ...(retainEvents === undefined ? {} : { retainEvents }),
    ...(faults === undefined ? {} : { faults }),
  });
  app.addHook('onResponse', (_req, _reply, done) => {
    served++;
    done();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const emu = {
    app,
    port: (app.server.address() as { port: number }).port,
    close: () => app.close(),
  };
  const mi = emu.app.managedIntegrations;
  const account = TEST_CREDENTIALS.accountId;
  const owner = { account, region: 'us-east-1' };
  const connectorId = 'benchconnector';
  const arn = (r: string) => `arn:aws:iotmanagedintegrations:us-east-1:${account}:${r}`;
  mi.stores.connectors.put(owner, connectorId, {
    Id: connectorId,
    Name: 'bench',
    EndpointConfig: { lambda: { arn: `arn:aws:lambda:us-east-1:${account}:function:bench` } },
    EndpointType: 'LAMBDA',
    Type: 'UNLISTED',
  });
  mi.stores.associations.put(
    owner,
    'benchassociation',
    {
      AccountAssociationId: 'benchassociation',
      Arn: arn('account-association/benchassociation'),
      ConnectorDestinationId: 'benchdestination',
      AssociationState: 'ASSOCIATION_SUCCEEDED',
      OAuthAuthorizationUrl: '',
      connectorId,
      userId: 'user-123',
    },
    { k1: 'benchdestination', k3: `${connectorId}|user-123` },
  );
  mi.stores.things.put(
    owner,
    'benchthing',
    {
      Id: 'benchthing',
      Arn: arn('managed-thing/benchthing'),
      Role: 'DEVICE',
      ProvisioningStatus: 'ACTIVATED',
      ConnectorDeviceId: 'fan-42',
      accountAssociationId: 'benchassociation',
      connectorId,
      userId: 'user-123',
      CreatedAt: Date.now(),
      UpdatedAt: Date.now(),
    },
    { k1: `${connectorId}|fan-42`, k2: 'benchassociation' },
  );
  process.stdout.write(`${JSON.stringify({ ready: true, port: emu.port, connectorId })}\n`);
  cpuAtReady = process.cpuUsage();
  process.on('SIGTERM', () => {
    const { batches, units } = mi.committer.stats();
    // Counting 10 M stored rows takes a while: after the CPU reading.
    report(() => ({
      batches,
      units,
      events: mi.stores.countEvents(),
      pruned: app.eventPruner.stats.pruned,
    }));
    emu.close().then(() => process.exit(0));
  });
}

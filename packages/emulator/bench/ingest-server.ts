// Server side of ingest.bench.ts (run pinned to CPU 0): `bare` is a plain Fastify POST route that
// parses JSON and answers 202; `emulator` is the real emulator with a connector, an activated
// account association and a managed thing, so DEVICE_EVENT takes the full path: SigV4 verify →
// validate → route → group-committed insert + state merge → notifications → 202.
import { DEFAULT_CREDENTIALS, startEmulator } from '@c2c-kit/emulator';
import Fastify from 'fastify';

const mode = process.argv[2];
const dataDir = process.argv[3];

if (mode === 'bare') {
  const app = Fastify();
  app.post('/connector-event/:id', async (_req, reply) => reply.code(202).send({}));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ ready: true, port: address.port })}\n`);
} else {
  const emu = await startEmulator({ dataDir, port: 0 });
  const mi = emu.app.managedIntegrations;
  const account = DEFAULT_CREDENTIALS.accountId;
  const connectorId = 'benchconnector';
  const arn = (r: string) => `arn:aws:iotmanagedintegrations:us-east-1:${account}:${r}`;
  mi.stores.connectors.put(account, connectorId, {
    Id: connectorId,
    Name: 'bench',
    EndpointConfig: { lambda: { arn: `arn:aws:lambda:us-east-1:${account}:function:bench` } },
    EndpointType: 'LAMBDA',
    Type: 'UNLISTED',
  });
  mi.stores.associations.put(
    account,
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
    account,
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
  process.on('SIGTERM', () => {
    const { batches, units } = mi.committer.stats();
    process.stdout.write(
      `${JSON.stringify({ batches, units, events: mi.stores.countEvents() })}\n`,
    );
    emu.close().then(() => process.exit(0));
  });
}

import { type EmulatorCredential, type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Boto3Result, type Boto3Target, boto3, boto3Missing } from './boto3.js';

// Resources live per account and region, as on AWS: boto3 — a client with its own signer —
// creates a connector and its destination in one region and account, and the other region (and
// another account) lists none and gets 404 for them.

const DEVELOPER: EmulatorCredential = {
  accessKeyId: 'AKIAC2CKITREGION0001',
  secretAccessKey: 'c2c-kit-region-secret-access-key-000001',
  accountId: '111122223333',
};
const OTHER: EmulatorCredential = {
  accessKeyId: 'AKIAC2CKITREGION0002',
  secretAccessKey: 'c2c-kit-region-secret-access-key-000002',
  accountId: '444455556666',
};

let emu: RunningEmulator;

beforeAll(async () => {
  const missing = boto3Missing();
  if (missing !== undefined) throw new Error(missing);
  emu = await startEmulator({ memory: true, credentials: [DEVELOPER, OTHER] });
}, 60_000);

afterAll(async () => {
  await emu?.close();
});

function target(region: string, who: EmulatorCredential = DEVELOPER): Boto3Target {
  return {
    endpoint: emu.url,
    region,
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
  };
}

function output(result: Boto3Result | undefined): Record<string, unknown> {
  if (result === undefined || !result.ok)
    throw new Error(`boto3 call failed: ${JSON.stringify(result)}`);
  return result.output;
}

/** Creates a connector and a General Authorization destination in `region`; returns their ids. */
async function createIn(
  region: string,
  name: string,
): Promise<{ connector: string; destination: string }> {
  const [connector] = await boto3(target(region), [
    {
      operation: 'CreateCloudConnector',
      input: {
        Name: name,
        EndpointConfig: {
          lambda: { arn: `arn:aws:lambda:${region}:${DEVELOPER.accountId}:function:conn` },
        },
      },
    },
  ]);
  const connectorId = output(connector).Id as string;
  const [destination] = await boto3(target(region), [
    {
      operation: 'CreateConnectorDestination',
      input: {
        CloudConnectorId: connectorId,
        AuthConfig: {
          GeneralAuthorization: [
            {
              AuthMaterialName: 'key',
              SecretsManager: {
                arn: `arn:aws:secretsmanager:${region}:${DEVELOPER.accountId}:secret:k-AbCdEf`,
                versionId: '00000000-0000-0000-0000-000000000001',
              },
            },
          ],
        },
      },
    },
  ]);
  return { connector: connectorId, destination: output(destination).Id as string };
}

/** What `viewer` sees of the ids: both lists, and the status of each Get. */
async function seenFrom(viewer: Boto3Target, ids: { connector: string; destination: string }) {
  const [connectors, destinations, getConnector, getDestination] = await boto3(viewer, [
    { operation: 'ListCloudConnectors' },
    { operation: 'ListConnectorDestinations' },
    { operation: 'GetCloudConnector', input: { Identifier: ids.connector } },
    { operation: 'GetConnectorDestination', input: { Identifier: ids.destination } },
  ]);
  return {
    connectors: (output(connectors).Items as Array<{ Id: string }>).map((c) => c.Id),
    destinations: (output(destinations).ConnectorDestinationList as Array<{ Id: string }>).map(
      (d) => d.Id,
    ),
    getConnector: getConnector,
    getDestination: getDestination,
  };
}

const notFound = { ok: false, status: 404, code: 'ResourceNotFoundException' };

describe('boto3: resources per account and region', () => {
  it('us-east-1 resources are absent from eu-west-1, and back', async () => {
    const east = await createIn('us-east-1', 'camera');
    const west = await createIn('eu-west-1', 'camera');

    const fromWest = await seenFrom(target('eu-west-1'), east);
    expect(fromWest.connectors).toEqual([west.connector]);
    expect(fromWest.destinations).toEqual([west.destination]);
    expect(fromWest.getConnector).toMatchObject(notFound);
    expect(fromWest.getDestination).toMatchObject(notFound);

    const fromEast = await seenFrom(target('us-east-1'), west);
    expect(fromEast.connectors).toEqual([east.connector]);
    expect(fromEast.destinations).toEqual([east.destination]);
    expect(fromEast.getConnector).toMatchObject(notFound);
    expect(fromEast.getDestination).toMatchObject(notFound);

    const own = await seenFrom(target('us-east-1'), east);
    expect(own.getConnector).toMatchObject({ ok: true, status: 200 });
    expect(own.getDestination).toMatchObject({ ok: true, status: 200 });
  });

  it('another account of the same region sees none of them', async () => {
    const east = await createIn('us-east-1', 'doorbell');
    const other = await seenFrom(target('us-east-1', OTHER), east);
    expect(other.connectors).toEqual([]);
    expect(other.destinations).toEqual([]);
    expect(other.getConnector).toMatchObject(notFound);
    expect(other.getDestination).toMatchObject(notFound);
  });
});

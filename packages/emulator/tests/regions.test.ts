import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorCredential, RunningEmulator } from '../src/index.js';
import { startEmulator } from '../src/index.js';
import { miClient } from './helpers/mi-client.js';

// Managed-integrations resources live per account AND region: the region of the request's SigV4
// scope decides which region's resources it sees, as on AWS.

const OTHER: EmulatorCredential = {
  accessKeyId: 'AKIAC2CKITOTHER00001',
  secretAccessKey: 'c2c-kit-other-secret-access-key-00000001',
  accountId: '444455556666',
};
const SECRET = {
  arn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ga-AbCdEf',
  versionId: '00000000-0000-0000-0000-000000000001',
};

let emu: RunningEmulator;
let east: ReturnType<typeof miClient>;
let west: ReturnType<typeof miClient>;
let otherEast: ReturnType<typeof miClient>;

const lambdaIn = (region: string, name = 'fn') =>
  `arn:aws:lambda:${region}:111122223333:function:${name}`;

async function connectorIn(mi: ReturnType<typeof miClient>, region: string, name: string) {
  const res = await mi('CreateCloudConnector', {
    Name: name,
    EndpointConfig: { lambda: { arn: lambdaIn(region) } },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.Id as string;
}

async function destinationFor(mi: ReturnType<typeof miClient>, connectorId: string) {
  const res = await mi('CreateConnectorDestination', {
    CloudConnectorId: connectorId,
    AuthConfig: { GeneralAuthorization: [{ AuthMaterialName: 'key', SecretsManager: SECRET }] },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.Id as string;
}

beforeAll(async () => {
  emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS, OTHER] });
  east = miClient(emu.url, TEST_CREDENTIALS, 'us-east-1');
  west = miClient(emu.url, TEST_CREDENTIALS, 'eu-west-1');
  otherEast = miClient(emu.url, OTHER, 'us-east-1');
});
afterAll(async () => {
  await emu?.close();
});

describe('region and account isolation', () => {
  it('a connector and destination of one region are absent from another region and account', async () => {
    const connector = await connectorIn(east, 'us-east-1', 'iso');
    const destination = await destinationFor(east, connector);

    for (const mi of [west, otherEast]) {
      expect((await mi('ListCloudConnectors', {})).json.Items).toEqual([]);
      expect((await mi('ListConnectorDestinations', {})).json.ConnectorDestinationList).toEqual([]);
      const get = await mi('GetCloudConnector', { Identifier: connector });
      expect(get.status).toBe(404);
      expect(get.headers['x-amzn-errortype']).toMatch(/^ResourceNotFoundException/);
      expect((await mi('GetConnectorDestination', { Identifier: destination })).status).toBe(404);
      expect((await mi('UpdateCloudConnector', { Identifier: connector, Name: 'x' })).status).toBe(
        404,
      );
      expect((await mi('DeleteConnectorDestination', { Identifier: destination })).status).toBe(
        404,
      );
    }
    expect((await east('GetCloudConnector', { Identifier: connector })).status).toBe(200);
    expect((await east('GetConnectorDestination', { Identifier: destination })).status).toBe(200);
  });

  it('and back: eu-west-1 resources are invisible from us-east-1; names repeat across regions', async () => {
    const connector = await connectorIn(west, 'eu-west-1', 'iso');
    const destination = await destinationFor(west, connector);

    expect((await east('GetCloudConnector', { Identifier: connector })).status).toBe(404);
    expect((await east('GetConnectorDestination', { Identifier: destination })).status).toBe(404);
    const eastIds = (
      (await east('ListCloudConnectors', {})).json.Items as Array<{ Id: string }>
    ).map((c) => c.Id);
    expect(eastIds).not.toContain(connector);
    const westItems = (await west('ListCloudConnectors', {})).json.Items as Array<{ Id: string }>;
    expect(westItems.map((c) => c.Id)).toEqual([connector]);
    expect((await west('DeleteCloudConnector', { Identifier: connector })).status).toBe(200);
  });

  it('links stay in one region: a destination needs a connector, an association a destination, of its region', async () => {
    const connector = await connectorIn(east, 'us-east-1', 'links');
    const destination = await destinationFor(east, connector);

    const crossDestination = await west('CreateConnectorDestination', {
      CloudConnectorId: connector,
      AuthConfig: { GeneralAuthorization: [{ AuthMaterialName: 'key', SecretsManager: SECRET }] },
    });
    expect(crossDestination.status).toBe(404);
    const crossAssociation = await west('CreateAccountAssociation', {
      ConnectorDestinationId: destination,
    });
    expect(crossAssociation.status).toBe(404);

    // Another account of the same region may link to the developer's destination; its ARN says
    // where it was created.
    const customer = await otherEast('CreateAccountAssociation', {
      ConnectorDestinationId: destination,
    });
    expect(customer.status, customer.text).toBe(201);
    expect(customer.json.Arn).toMatch(/^arn:aws:iotmanagedintegrations:us-east-1:444455556666:/);
    const id = customer.json.AccountAssociationId as string;
    expect((await east('GetAccountAssociation', { AccountAssociationId: id })).status).toBe(404);
  });

  it('refuses a connector whose Lambda function is in another region', async () => {
    const res = await west('CreateCloudConnector', {
      Name: 'cross-lambda',
      EndpointConfig: { lambda: { arn: lambdaIn('us-east-1') } },
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/in us-east-1; a cloud connector in eu-west-1/);
  });

  it('SendConnectorEvent signed for another region finds no connector', async () => {
    const connector = await connectorIn(east, 'us-east-1', 'events');
    const res = await west('SendConnectorEvent', {
      ConnectorId: connector,
      Operation: 'DEVICE_EVENT',
      UserId: 'u',
      ConnectorDeviceId: 'd',
    });
    expect(res.status).toBe(404);
    expect(res.headers['x-amzn-errortype']).toMatch(/^ResourceNotFoundException/);
  });

  it('notification destinations, ClientTokens and encryption settings are per region', async () => {
    const destination = {
      Name: 'feed',
      DeliveryDestinationType: 'KINESIS',
      DeliveryDestinationArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/feed',
      RoleArn: 'arn:aws:iam::111122223333:role/feed',
    } as const;
    expect((await east('CreateDestination', destination)).status).toBe(201);
    expect((await west('GetDestination', { Name: 'feed' })).status).toBe(404);
    expect((await west('CreateDestination', destination)).status).toBe(201);
    expect((await east('DeleteDestination', { Name: 'feed' })).status).toBe(200);
    expect((await west('GetDestination', { Name: 'feed' })).status).toBe(200);

    const input = {
      Name: 'token',
      EndpointConfig: { lambda: { arn: 'fn' } },
      ClientToken: 'same-token',
    };
    const a = await east('CreateCloudConnector', input);
    const b = await west('CreateCloudConnector', input);
    expect(a.status, a.text).toBe(201);
    expect(b.status, b.text).toBe(201);
    // The same token again in us-east-1 replays us-east-1's answer.
    expect((await east('CreateCloudConnector', input)).json.Id).toBe(a.json.Id);
    expect(a.json.Id).not.toBe(b.json.Id);

    const put = await west('PutDefaultEncryptionConfiguration', {
      encryptionType: 'CUSTOMER_KEY_ENCRYPTION',
      kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234',
    });
    expect(put.status, put.text).toBe(201);
    const eastSetting = await east('GetDefaultEncryptionConfiguration', {});
    expect(eastSetting.json.encryptionType).toBe('MANAGED_INTEGRATIONS_DEFAULT_ENCRYPTION');
    const westSetting = await west('GetDefaultEncryptionConfiguration', {});
    expect(westSetting.json.encryptionType).toBe('CUSTOMER_KEY_ENCRYPTION');
  });
});

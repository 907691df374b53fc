import { OPERATIONS, type OperationName } from '@c2c-kit/protocol';
import { fanReport } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startC2cStack } from './helpers/c2c-stack.js';
import { notImplementedOperations, ownClient } from './helpers/operations.js';

// Every filter of every implemented List operation, taken from the model's query members: each
// one narrows the answer to exactly the matching resources. A filter the model adds later fails
// the coverage test until it has a case here.

type Mi = ReturnType<typeof ownClient>;
let stack: Awaited<ReturnType<typeof startC2cStack>>;
let mi: Mi;
const ids: Record<string, string> = {};

/** The ids (by `key`) of every item a List call returns, across pages. */
async function listed(name: OperationName, input: Record<string, unknown>, key = 'Id') {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const res = await mi(name, { ...input, MaxResults: 2, NextToken: token } as never);
    expect(res.status, `${name} ${JSON.stringify(input)}: ${res.text}`).toBe(200);
    const items = (res.json.Items ?? res.json.ConnectorDestinationList) as Array<
      Record<string, string>
    >;
    out.push(...items.map((i) => i[key] as string));
    token = res.json.NextToken as string | undefined;
  } while (token !== undefined);
  return out.sort();
}

const sorted = (...values: Array<string | undefined>) => values.map(String).sort();

beforeAll(async () => {
  stack = await startC2cStack();
  mi = ownClient(stack.emu);
  ids.connectorA = stack.connectorId;
  ids.destinationA = stack.destinationId;
  const other = await mi('CreateCloudConnector', {
    Name: 'other',
    EndpointConfig: {
      lambda: { arn: 'arn:aws:lambda:us-east-1:111122223333:function:other:live' },
    },
  });
  ids.connectorB = other.json.Id as string;
  const destination = await mi('GetConnectorDestination', { Identifier: stack.destinationId });
  const secret = destination.json.SecretsManager as { arn: string; versionId: string };
  const gaDestination = await mi('CreateConnectorDestination', {
    CloudConnectorId: ids.connectorB,
    AuthConfig: { GeneralAuthorization: [{ AuthMaterialName: 'key', SecretsManager: secret }] },
  });
  expect(gaDestination.status, gaDestination.text).toBe(201);
  ids.destinationB = gaDestination.json.Id as string;
  const gaAssociation = await mi('CreateAccountAssociation', {
    ConnectorDestinationId: ids.destinationB,
  });
  ids.associationB = gaAssociation.json.AccountAssociationId as string;

  ids.associationA = await stack.link();
  ids.discovery = await stack.discover(ids.associationA, [
    { id: 'fan-1', name: 'Fan', report: fanReport() },
    { id: 'fan-2', name: 'Fan two', report: fanReport() },
  ]);
  // A second discovery nobody answers stays RUNNING.
  const running = await mi('StartDeviceDiscovery', {
    DiscoveryType: 'CLOUD',
    AccountAssociationId: ids.associationA,
  });
  ids.running = running.json.Id as string;
  for (const device of ['fan-1', 'fan-2']) {
    const thing = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${ids.discovery}:${device}`,
    });
    ids[device] = thing.json.Id as string;
    const registered = await mi('RegisterAccountAssociation', {
      ManagedThingId: ids[device] as string,
      AccountAssociationId: ids.associationA as string,
      DeviceDiscoveryId: ids.discovery as string,
    });
    expect(registered.status, registered.text).toBe(201);
  }
  await mi('UpdateManagedThing', {
    Identifier: ids['fan-1'] as string,
    Owner: 'alice',
    SerialNumber: 'SN-1',
  });
  await mi('UpdateManagedThing', { Identifier: ids['fan-2'] as string, Owner: 'bob' });
  const deregistered = await mi('DeregisterAccountAssociation', {
    ManagedThingId: ids['fan-2'] as string,
    AccountAssociationId: ids.associationA,
  });
  expect(deregistered.status, deregistered.text).toBe(200);
});

afterAll(async () => {
  await stack?.close();
});

/** op → filter member → a check that the filter narrows the answer. */
const CASES: Record<string, Record<string, () => Promise<void>>> = {
  ListCloudConnectors: {
    Type: async () => {
      expect(await listed('ListCloudConnectors', { Type: 'UNLISTED' })).toEqual(
        sorted(ids.connectorA, ids.connectorB),
      );
      expect(await listed('ListCloudConnectors', { Type: 'LISTED' })).toEqual([]);
    },
    LambdaArn: async () => {
      expect(await listed('ListCloudConnectors', { LambdaArn: 'other' })).toEqual([ids.connectorB]);
      expect(await listed('ListCloudConnectors', { LambdaArn: 'acme-connector' })).toEqual([
        ids.connectorA,
      ]);
    },
  },
  ListConnectorDestinations: {
    CloudConnectorId: async () => {
      expect(
        await listed('ListConnectorDestinations', { CloudConnectorId: ids.connectorB }),
      ).toEqual([ids.destinationB]);
      expect(await listed('ListConnectorDestinations', {})).toEqual(
        sorted(ids.destinationA, ids.destinationB),
      );
    },
  },
  ListAccountAssociations: {
    ConnectorDestinationId: async () => {
      const key = 'AccountAssociationId';
      expect(
        await listed('ListAccountAssociations', { ConnectorDestinationId: ids.destinationA }, key),
      ).toEqual([ids.associationA]);
      expect(
        await listed('ListAccountAssociations', { ConnectorDestinationId: ids.destinationB }, key),
      ).toEqual([ids.associationB]);
    },
  },
  ListDeviceDiscoveries: {
    TypeFilter: async () => {
      expect(await listed('ListDeviceDiscoveries', { TypeFilter: 'CLOUD' })).toEqual(
        sorted(ids.discovery, ids.running),
      );
      expect(await listed('ListDeviceDiscoveries', { TypeFilter: 'ZIGBEE' })).toEqual([]);
    },
    StatusFilter: async () => {
      expect(await listed('ListDeviceDiscoveries', { StatusFilter: 'RUNNING' })).toEqual([
        ids.running,
      ]);
      expect(await listed('ListDeviceDiscoveries', { StatusFilter: 'SUCCEEDED' })).toEqual([
        ids.discovery,
      ]);
    },
  },
  ListManagedThings: {
    OwnerFilter: async () => {
      expect(await listed('ListManagedThings', { OwnerFilter: 'alice' })).toEqual([ids['fan-1']]);
    },
    CredentialLockerFilter: async () => {
      expect(await listed('ListManagedThings', { CredentialLockerFilter: 'locker1' })).toEqual([]);
    },
    RoleFilter: async () => {
      expect(await listed('ListManagedThings', { RoleFilter: 'DEVICE' })).toEqual(
        sorted(ids['fan-1'], ids['fan-2']),
      );
      expect(await listed('ListManagedThings', { RoleFilter: 'CONTROLLER' })).toEqual([]);
    },
    ParentControllerIdentifierFilter: async () => {
      expect(
        await listed('ListManagedThings', { ParentControllerIdentifierFilter: 'hub1' }),
      ).toEqual([]);
    },
    ConnectorPolicyIdFilter: async () => {
      expect(await listed('ListManagedThings', { ConnectorPolicyIdFilter: 'policy-1' })).toEqual(
        [],
      );
    },
    ConnectorDestinationIdFilter: async () => {
      expect(
        await listed('ListManagedThings', { ConnectorDestinationIdFilter: ids.destinationA }),
      ).toEqual(sorted(ids['fan-1'], ids['fan-2']));
      expect(
        await listed('ListManagedThings', { ConnectorDestinationIdFilter: ids.destinationB }),
      ).toEqual([]);
    },
    ConnectorDeviceIdFilter: async () => {
      expect(await listed('ListManagedThings', { ConnectorDeviceIdFilter: 'fan-2' })).toEqual([
        ids['fan-2'],
      ]);
    },
    SerialNumberFilter: async () => {
      expect(await listed('ListManagedThings', { SerialNumberFilter: 'SN-1' })).toEqual([
        ids['fan-1'],
      ]);
    },
    ProvisioningStatusFilter: async () => {
      expect(await listed('ListManagedThings', { ProvisioningStatusFilter: 'ACTIVATED' })).toEqual([
        ids['fan-1'],
      ]);
      expect(
        await listed('ListManagedThings', { ProvisioningStatusFilter: 'UNASSOCIATED' }),
      ).toEqual([ids['fan-2']]);
    },
  },
  ListManagedThingAccountAssociations: {
    ManagedThingId: async () => {
      const key = 'ManagedThingId';
      const op = 'ListManagedThingAccountAssociations';
      expect(await listed(op, { ManagedThingId: ids['fan-1'] }, key)).toEqual([ids['fan-1']]);
      expect(await listed(op, { ManagedThingId: ids['fan-2'] }, key)).toEqual([]);
    },
    AccountAssociationId: async () => {
      const key = 'ManagedThingId';
      const op = 'ListManagedThingAccountAssociations';
      expect(await listed(op, { AccountAssociationId: ids.associationA }, key)).toEqual([
        ids['fan-1'],
      ]);
      expect(await listed(op, { AccountAssociationId: ids.associationB }, key)).toEqual([]);
    },
  },
};

/** Filters tested in managed-thing-details.test.ts, next to the resources they list. */
const TESTED_ELSEWHERE = [
  'ListManagedThingSchemas.EndpointIdFilter',
  'ListManagedThingSchemas.CapabilityIdFilter',
  'ListSchemaVersions.SchemaId',
  'ListSchemaVersions.Namespace',
  'ListSchemaVersions.Visibility',
  'ListSchemaVersions.SemanticVersion',
];

describe('List filters', () => {
  it('every query filter of every implemented List operation in the model has a case', () => {
    const skip = notImplementedOperations();
    const modelled = Object.values(OPERATIONS)
      .filter((op) => op.name.startsWith('List') && !skip.has(op.name))
      .flatMap((op) =>
        op.queryMembers
          .filter((m) => m !== 'NextToken' && m !== 'MaxResults')
          .map((m) => `${op.name}.${m}`),
      )
      .sort();
    const covered = Object.entries(CASES)
      .flatMap(([op, filters]) => Object.keys(filters).map((m) => `${op}.${m}`))
      .concat(TESTED_ELSEWHERE)
      .sort();
    expect(covered).toEqual(modelled);
  });

  for (const [op, filters] of Object.entries(CASES)) {
    for (const [member, check] of Object.entries(filters)) {
      it(`${op} ${member}`, check);
    }
  }
});

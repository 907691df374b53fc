import {
  formatIssue,
  OPERATIONS,
  type OperationName,
  type ValidationIssue,
  validateOperationOutput,
} from '@c2c-kit/protocol';
import { fanReport } from '@c2c-kit/testing';
import { NS, operation, shapeOf } from '@c2c-kit/testing/smithy-model';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startC2cStack } from './helpers/c2c-stack.js';
import { notImplementedOperations, ownClient } from './helpers/operations.js';

// Every response of every implemented managed-integrations operation carries exactly the model's
// output members, within the model's limits: a scenario drives each operation over real HTTP and
// every 2xx body is checked against protocol's generated output validator and, for members the
// model does not have, against the Smithy model itself. The operation list is the model's, less
// the README's 501 list.

/** Members of `value` the model's shape `id` does not have, as paths. */
function unknownMembers(id: string, value: unknown, path = ''): string[] {
  const shape = shapeOf(id);
  if (value === null || typeof value !== 'object') return [];
  if (shape.type === 'structure') {
    const members = shape.members ?? {};
    return Object.entries(value).flatMap(([k, v]) => {
      const member = members[k];
      const at = path === '' ? k : `${path}.${k}`;
      return member === undefined ? [at] : unknownMembers(member.target, v, at);
    });
  }
  if (shape.type === 'list' && Array.isArray(value) && shape.member !== undefined) {
    const target = shape.member.target;
    return value.flatMap((v, i) => unknownMembers(target, v, `${path}[${i}]`));
  }
  if (shape.type === 'map' && shape.value !== undefined) {
    const target = shape.value.target;
    return Object.entries(value).flatMap(([k, v]) => unknownMembers(target, v, `${path}.${k}`));
  }
  return [];
}

/**
 * README "Known gaps": `OAuthAuthorizationUrl` is `http://` when the destination's authUrl is
 * (the model's output pattern wants https; the local OAuth server has no TLS). Nothing else passes.
 */
function knownGap(issue: ValidationIssue, body: Record<string, unknown>): boolean {
  const url = body.OAuthAuthorizationUrl;
  return (
    issue.path === 'OAuthAuthorizationUrl' &&
    typeof url === 'string' &&
    url.startsWith('http://127.0.0.1:')
  );
}

const seen = new Map<string, number>();
const problems: string[] = [];
let stack: Awaited<ReturnType<typeof startC2cStack>> | undefined;

afterAll(async () => {
  await stack?.close();
});

describe('responses match the model', () => {
  it('every implemented operation, driven once or more, answers the model output shape', async () => {
    stack = await startC2cStack();
    const s = stack;
    const raw = ownClient(s.emu);
    async function mi<K extends OperationName>(
      name: K,
      input: Parameters<typeof raw<K>>[1],
    ): Promise<Record<string, unknown>> {
      const res = await raw(name, input);
      expect(res.status, `${name}: ${res.text}`).toBe(OPERATIONS[name].successCode);
      seen.set(name, (seen.get(name) ?? 0) + 1);
      const body = res.text === '' ? {} : res.json;
      const checked = validateOperationOutput(name, body);
      if (!checked.ok) {
        for (const issue of checked.issues.filter((i) => !knownGap(i, body))) {
          problems.push(`${name}: ${formatIssue(issue)}`);
        }
      }
      const output = operation(name).output?.target ?? 'smithy.api#Unit';
      for (const extra of unknownMembers(output, body)) {
        problems.push(`${name}: ${extra} is not a member of ${output.replace(NS, '')}`);
      }
      return body;
    }

    // Cloud connectors and connector destinations.
    const spare = await mi('CreateCloudConnector', {
      Name: 'spare',
      EndpointConfig: { lambda: { arn: 'spare-fn' } },
    });
    await mi('GetCloudConnector', { Identifier: s.connectorId });
    await mi('ListCloudConnectors', {});
    await mi('UpdateCloudConnector', { Identifier: spare.Id as string, Description: 'spare one' });
    const oauthDestination = await mi('GetConnectorDestination', { Identifier: s.destinationId });
    const secret = oauthDestination.SecretsManager as { arn: string; versionId: string };
    const ga = await mi('CreateConnectorDestination', {
      CloudConnectorId: s.connectorId,
      AuthConfig: { GeneralAuthorization: [{ AuthMaterialName: 'key', SecretsManager: secret }] },
    });
    await mi('ListConnectorDestinations', {});
    await mi('UpdateConnectorDestination', { Identifier: ga.Id as string, Name: 'general' });

    // Account associations: an OAuth link (authorized through the callback) and a spare one.
    const tags = { team: 'home' };
    const link = await mi('CreateAccountAssociation', {
      ConnectorDestinationId: s.destinationId,
      Tags: tags,
    });
    const state = new URL(link.OAuthAuthorizationUrl as string).searchParams.get('state');
    await (
      await request(`${s.emu.url}/_local/oauth/callback?code=good-code&state=${state}`)
    ).body.text();
    const associationId = link.AccountAssociationId as string;
    const spareLink = await mi('CreateAccountAssociation', {
      ConnectorDestinationId: ga.Id as string,
    });
    await mi('GetAccountAssociation', { AccountAssociationId: associationId });
    await mi('ListAccountAssociations', {});
    await mi('UpdateAccountAssociation', { AccountAssociationId: associationId, Name: 'home' });
    await mi('StartAccountAssociationRefresh', { AccountAssociationId: associationId });

    // Discovery of a fan, and its managed thing registered to the link.
    const discovery = await mi('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: associationId,
      Tags: tags,
    });
    await s.emu.app.managedIntegrations.drain();
    const discoveryId = discovery.Id as string;
    await mi('SendConnectorEvent', {
      ConnectorId: s.connectorId,
      Operation: 'DEVICE_DISCOVERY',
      UserId: 'user-1',
      DeviceDiscoveryId: discoveryId,
      Devices: [
        { ConnectorDeviceId: 'fan-1', ConnectorDeviceName: 'Fan', CapabilityReport: fanReport() },
      ],
    });
    await mi('GetDeviceDiscovery', { Identifier: discoveryId });
    await mi('ListDeviceDiscoveries', {});
    await mi('ListDiscoveredDevices', { Identifier: discoveryId });
    const thing = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${discoveryId}:fan-1`,
      MetaData: { room: 'den' },
      Tags: tags,
    });
    const thingId = thing.Id as string;
    await mi('RegisterAccountAssociation', {
      ManagedThingId: thingId,
      AccountAssociationId: associationId,
      DeviceDiscoveryId: discoveryId,
    });
    await mi('GetManagedThing', { Identifier: thingId });
    await mi('ListManagedThings', {});
    await mi('ListManagedThingAccountAssociations', { ManagedThingId: thingId });
    await mi('GetManagedThingCapabilities', { Identifier: thingId });
    await mi('ListManagedThingSchemas', { Identifier: thingId });
    await mi('GetManagedThingMetaData', { Identifier: thingId });
    await mi('GetManagedThingConnectivityData', { Identifier: thingId });

    // State across seven clusters of one endpoint: more than a StateEndpoint holds.
    const clusters = ['0x0006', '0x0008', '0x0202', '0x0300', '0x0201', '0x0402', '0x0045'];
    for (const batch of [clusters.slice(0, 4), clusters.slice(4)]) {
      await mi('SendConnectorEvent', {
        ConnectorId: s.connectorId,
        Operation: 'DEVICE_EVENT',
        UserId: 'user-1',
        ConnectorDeviceId: 'fan-1',
        MatterEndpoint: {
          id: '1',
          clusters: batch.map((id) => ({ id, attributes: { '0x0000': 1 } })),
        },
      });
    }
    s.emu.app.managedIntegrations.committer.flush();
    const stateAnswer = await mi('GetManagedThingState', { ManagedThingId: thingId });
    const endpoints = stateAnswer.Endpoints as Array<{ capabilities: unknown[] }>;
    expect(endpoints.flatMap((e) => e.capabilities)).toHaveLength(7);

    const command = await mi('SendManagedThingCommand', {
      ManagedThingId: thingId,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            { id: 'matter.OnOff@1.4', name: 'On/Off', version: '6', actions: [{ name: 'On' }] },
          ],
        },
      ],
    });
    await s.emu.app.managedIntegrations.drain();
    await mi('SendConnectorEvent', {
      ConnectorId: s.connectorId,
      Operation: 'DEVICE_COMMAND_RESPONSE',
      TraceId: command.TraceId as string,
      StatusCode: 200,
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0006', attributes: { '0x0000': true } }] },
    });
    await mi('UpdateManagedThing', {
      Identifier: thingId,
      Name: 'Fan',
      MetaData: { room: 'hall' },
    });

    // Tags, schemas and the account's encryption.
    const thingArn = thing.Arn as string;
    await mi('TagResource', { ResourceArn: thingArn, Tags: { env: 'dev' } });
    await mi('ListTagsForResource', { ResourceArn: thingArn });
    await mi('UntagResource', { ResourceArn: thingArn, TagKeys: ['env'] });
    await mi('ListTagsForResource', { ResourceArn: thingArn });
    for (const Format of ['AWS', 'ZCL', 'CONNECTOR'] as const) {
      await mi('GetSchemaVersion', {
        Type: 'capability',
        SchemaVersionedId: 'matter.ColorControl@1.4',
        Format,
      });
    }
    await mi('GetSchemaVersion', { Type: 'definition', SchemaVersionedId: 'aws.integer@1.0' });
    await mi('ListSchemaVersions', { Type: 'capability' });
    await mi('ListSchemaVersions', { Type: 'definition' });
    await mi('GetDefaultEncryptionConfiguration', {});
    await mi('PutDefaultEncryptionConfiguration', {
      encryptionType: 'MANAGED_INTEGRATIONS_DEFAULT_ENCRYPTION',
    });

    // Notifications.
    await mi('CreateDestination', {
      Name: 'stream',
      DeliveryDestinationArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/events',
      DeliveryDestinationType: 'KINESIS',
      RoleArn: 'arn:aws:iam::111122223333:role/mi',
      Tags: tags,
    });
    await mi('GetDestination', { Name: 'stream' });
    await mi('ListDestinations', {});
    await mi('UpdateDestination', { Name: 'stream', Description: 'all events' });
    await mi('CreateNotificationConfiguration', {
      EventType: 'DEVICE_EVENT',
      DestinationName: 'stream',
      Tags: tags,
    });
    await mi('GetNotificationConfiguration', { EventType: 'DEVICE_EVENT' });
    await mi('ListNotificationConfigurations', {});
    await mi('UpdateNotificationConfiguration', {
      EventType: 'DEVICE_EVENT',
      DestinationName: 'stream',
    });
    await mi('DeleteNotificationConfiguration', { EventType: 'DEVICE_EVENT' });
    await mi('DeleteDestination', { Name: 'stream' });

    // Teardown, each Delete once.
    await mi('DeregisterAccountAssociation', {
      ManagedThingId: thingId,
      AccountAssociationId: associationId,
    });
    await mi('DeleteManagedThing', { Identifier: thingId });
    await mi('DeleteAccountAssociation', {
      AccountAssociationId: spareLink.AccountAssociationId as string,
    });
    await s.emu.app.managedIntegrations.drain();
    await mi('DeleteConnectorDestination', { Identifier: ga.Id as string });
    await mi('DeleteCloudConnector', { Identifier: spare.Id as string });

    expect(problems).toEqual([]);
    const skip = notImplementedOperations();
    const implemented = Object.keys(OPERATIONS)
      .filter((name) => !skip.has(name))
      .sort();
    expect(implemented.filter((name) => !seen.has(name))).toEqual([]);
  }, 60_000);
});

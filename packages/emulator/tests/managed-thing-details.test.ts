import { capabilitySchema } from '@c2c-kit/matter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startC2cStack } from './helpers/c2c-stack.js';
import { miClient } from './helpers/mi-client.js';

// The operations a customer app calls around a managed thing besides Create/Get/List/Delete:
// UpdateManagedThing, its metadata and connectivity, tags, schema versions and the account's
// default encryption, each over real HTTP against a linked, discovered cloud device.

let stack: Awaited<ReturnType<typeof startC2cStack>>;
let mi: ReturnType<typeof miClient>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startC2cStack();
  const credentials = stack.emu.app.emulatorConfig.credentials[0];
  if (credentials === undefined) throw new Error('the emulator has no credentials');
  mi = miClient(stack.emu.url, credentials);
  const thing = await stack.registeredThing();
  ids.association = thing.associationId;
  ids.discovery = thing.discoveryId;
  ids.thing = thing.thingId;
  ids.thingArn = thing.thingArn;
  const association = await mi('GetAccountAssociation', { AccountAssociationId: ids.association });
  ids.associationArn = association.json.Arn as string;
});

afterAll(async () => {
  await stack?.close();
});

describe('UpdateManagedThing and what reads it back', () => {
  it('applies every member it accepts; Get, GetManagedThingMetaData and the capabilities show it', async () => {
    const report = {
      version: '1.0.0',
      endpoints: [
        {
          id: '1',
          deviceTypes: ['Fan'],
          capabilities: [
            {
              id: 'matter.OnOff@1.4',
              name: 'On/Off',
              version: '6',
              properties: ['OnOff'],
              actions: ['On', 'Off'],
              events: [],
            },
          ],
        },
      ],
    };
    const updated = await mi('UpdateManagedThing', {
      Identifier: ids.thing as string,
      Name: 'Living room fan',
      Brand: 'Acme',
      Model: 'F-100',
      SerialNumber: 'SN-1',
      Owner: 'owner-1',
      Classification: 'Fan',
      HubNetworkMode: 'STANDARD',
      WiFiSimpleSetupConfiguration: { EnableAsProvisionee: true, TimeoutInMinutes: 10 },
      MetaData: { room: 'living', floor: '1' },
      CapabilityReport: report,
      Capabilities: 'fan',
    });
    expect(updated.status, updated.text).toBe(204);
    expect(updated.text).toBe('');

    const got = await mi('GetManagedThing', { Identifier: ids.thing as string });
    expect(got.json).toMatchObject({
      Name: 'Living room fan',
      Brand: 'Acme',
      Model: 'F-100',
      SerialNumber: 'SN-1',
      Owner: 'owner-1',
      Classification: 'Fan',
      HubNetworkMode: 'STANDARD',
      WiFiSimpleSetupConfiguration: { EnableAsProvisionee: true, TimeoutInMinutes: 10 },
      MetaData: { room: 'living', floor: '1' },
    });
    expect(got.json.UpdatedAt as number).toBeGreaterThanOrEqual(got.json.CreatedAt as number);

    const meta = await mi('GetManagedThingMetaData', { Identifier: ids.thing as string });
    expect(meta.json).toEqual({
      ManagedThingId: ids.thing,
      MetaData: { room: 'living', floor: '1' },
    });

    const caps = await mi('GetManagedThingCapabilities', { Identifier: ids.thing as string });
    expect(caps.json).toEqual({
      ManagedThingId: ids.thing,
      Capabilities: 'fan',
      CapabilityReport: report,
    });

    // MetaData is replaced, not merged.
    await mi('UpdateManagedThing', { Identifier: ids.thing as string, MetaData: { room: 'den' } });
    const meta2 = await mi('GetManagedThingMetaData', { Identifier: ids.thing as string });
    expect(meta2.json.MetaData).toEqual({ room: 'den' });
  });

  it('refuses a credential locker it cannot have, and an unknown thing', async () => {
    const locker = await mi('UpdateManagedThing', {
      Identifier: ids.thing as string,
      CredentialLockerId: 'locker1',
    });
    expect(locker.status, locker.text).toBe(404);
    expect(locker.json).toMatchObject({ ResourceType: 'CredentialLocker', ResourceId: 'locker1' });
    for (const name of [
      'UpdateManagedThing',
      'GetManagedThingMetaData',
      'GetManagedThingConnectivityData',
    ] as const) {
      const res = await mi(name, { Identifier: 'nosuchthing' });
      expect(res.status, `${name}: ${res.text}`).toBe(404);
      expect(res.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    }
  });
});

describe('GetManagedThingConnectivityData', () => {
  it('is connected while the thing is linked through a succeeded association', async () => {
    const before = Date.now() / 1000;
    const res = await mi('GetManagedThingConnectivityData', { Identifier: ids.thing as string });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      ManagedThingId: ids.thing,
      Connected: true,
      DisconnectReason: 'NONE',
    });
    expect(res.json.Timestamp as number).toBeGreaterThanOrEqual(Math.floor(before));
  });
});

describe('tags on managed things and account associations', () => {
  it('TagResource merges, ListTagsForResource lists, UntagResource removes; Get shows the same', async () => {
    for (const arn of [ids.thingArn as string, ids.associationArn as string]) {
      expect((await mi('ListTagsForResource', { ResourceArn: arn })).json).toEqual({});
      const tagged = await mi('TagResource', { ResourceArn: arn, Tags: { env: 'dev', team: 'a' } });
      expect(tagged.status, tagged.text).toBe(200);
      await mi('TagResource', { ResourceArn: arn, Tags: { team: 'b' } });
      expect((await mi('ListTagsForResource', { ResourceArn: arn })).json).toEqual({
        tags: { env: 'dev', team: 'b' },
      });
      const untagged = await mi('UntagResource', { ResourceArn: arn, TagKeys: ['env', 'absent'] });
      expect(untagged.status, untagged.text).toBe(200);
      expect((await mi('ListTagsForResource', { ResourceArn: arn })).json).toEqual({
        tags: { team: 'b' },
      });
    }
    const thing = await mi('GetManagedThing', { Identifier: ids.thing as string });
    expect(thing.json.Tags).toEqual({ team: 'b' });
    const association = await mi('GetAccountAssociation', {
      AccountAssociationId: ids.association as string,
    });
    expect(association.json.Tags).toEqual({ team: 'b' });
  });

  it('more than 50 tags is an InvalidRequestException; unknown resources are 404', async () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const over = await mi('TagResource', { ResourceArn: ids.thingArn as string, Tags: many });
    expect(over.status, over.text).toBe(400);
    expect(over.headers['x-amzn-errortype']).toBe('InvalidRequestException');
    expect((await mi('ListTagsForResource', { ResourceArn: ids.thingArn as string })).json).toEqual(
      {
        tags: { team: 'b' },
      },
    );
    const prefix = (ids.thingArn as string).split(':managed-thing/')[0];
    for (const arn of [`${prefix}:managed-thing/nosuchthing`, `${prefix}:ota-task/abc123`]) {
      const res = await mi('ListTagsForResource', { ResourceArn: arn });
      expect(res.status, res.text).toBe(404);
    }
  });
});

describe('schema versions, generated from the Matter table', () => {
  it('GetSchemaVersion answers the model example form, in each Format', async () => {
    const aws = await mi('GetSchemaVersion', {
      Type: 'capability',
      SchemaVersionedId: 'matter.ColorControl@1.4',
    });
    expect(aws.status, aws.text).toBe(200);
    expect(aws.json).toMatchObject({
      SchemaId: 'matter.ColorControl',
      Type: 'capability',
      Namespace: 'matter',
      SemanticVersion: '1.4',
      Description: 'The Color Control cluster defined as Harmony Capability.',
    });
    const schema = aws.json.Schema as {
      properties: Record<string, unknown>;
      actions: unknown[];
    };
    expect(schema).toMatchObject({
      $id: '/schema-versions/capability/matter.ColorControl@1.4',
      $ref: '/schema-versions/definition/aws.capability@1.0',
      name: 'Color Control',
      extrinsicId: '0x0300',
    });
    expect(schema.properties.CurrentHue).toMatchObject({
      value: { $ref: 'aws.integer@1.0' },
      mutable: false,
    });
    expect(schema.actions[0]).toMatchObject({
      name: 'MoveToHue',
      extrinsicId: '0x00',
      request: { parameters: { Hue: { extrinsicId: '0', value: { $ref: 'aws.integer@1.0' } } } },
    });
    for (const format of ['ZCL', 'CONNECTOR'] as const) {
      const res = await mi('GetSchemaVersion', {
        Type: 'capability',
        SchemaVersionedId: 'matter.OnOff@$latest',
        Format: format,
      });
      expect(res.status, res.text).toBe(200);
      expect(res.json.Schema).toEqual(capabilitySchema('OnOff', format));
    }
    expect(
      (
        await mi('GetSchemaVersion', {
          Type: 'capability',
          SchemaVersionedId: 'matter.OnOff@1.4',
          Format: 'CONNECTOR',
        })
      ).json.Schema,
    ).toMatchObject({ id: '0x0006', publicId: 'matter.OnOff@1.4' });
    const definition = await mi('GetSchemaVersion', {
      Type: 'definition',
      SchemaVersionedId: 'aws.integer@1.0',
    });
    expect(definition.json.Schema).toMatchObject({ type: 'integer' });
    for (const id of ['matter.ColorControl@1.3', 'matter.NoSuchCluster@1.4', 'acme.Thing@1.0']) {
      const res = await mi('GetSchemaVersion', { Type: 'capability', SchemaVersionedId: id });
      expect(res.status, `${id}: ${res.text}`).toBe(404);
      expect(res.json.Message).toBe('No schema version found');
    }
  });

  it('ListSchemaVersions filters and pages the catalog', async () => {
    const all: Array<Record<string, unknown>> = [];
    let token: string | undefined;
    do {
      const res = await mi('ListSchemaVersions', {
        Type: 'capability',
        MaxResults: 50,
        NextToken: token,
      });
      expect(res.status, res.text).toBe(200);
      all.push(...(res.json.Items as Array<Record<string, unknown>>));
      token = res.json.NextToken as string | undefined;
    } while (token !== undefined);
    expect(all.length).toBeGreaterThan(100);
    expect(new Set(all.map((i) => i.SchemaId)).size).toBe(all.length);
    const one = await mi('ListSchemaVersions', { Type: 'capability', SchemaId: 'matter.OnOff' });
    expect(one.json.Items).toEqual([
      {
        SchemaId: 'matter.OnOff',
        Type: 'capability',
        Description: 'The On/Off cluster defined as Harmony Capability.',
        Namespace: 'matter',
        SemanticVersion: '1.4',
        Visibility: 'PUBLIC',
      },
    ]);
    expect(
      (await mi('ListSchemaVersions', { Type: 'capability', SemanticVersion: '9.9' })).json.Items,
    ).toEqual([]);
    expect(
      (await mi('ListSchemaVersions', { Type: 'capability', Visibility: 'PRIVATE' })).json.Items,
    ).toEqual([]);
    expect(
      (
        (
          await mi('ListSchemaVersions', {
            Type: 'capability',
            Namespace: 'matter',
            SemanticVersion: '$latest',
          })
        ).json.Items as unknown[]
      ).length,
    ).toBe(Math.min(all.length, 100));
    expect(
      (await mi('ListSchemaVersions', { Type: 'capability', Namespace: 'aws' })).json.Items,
    ).toEqual([]);
    const defs = await mi('ListSchemaVersions', { Type: 'definition' });
    expect((defs.json.Items as Array<{ SchemaId: string }>).map((i) => i.SchemaId)).toContain(
      'aws.integer',
    );
    const both = await mi('ListSchemaVersions', {
      Type: 'capability',
      SchemaId: 'matter.OnOff',
      Namespace: 'matter',
    });
    expect(both.status, both.text).toBe(400);
  });

  it('ListManagedThingSchemas lists the thing capabilities with their schemas, filtered', async () => {
    // The thing's report was replaced above by one OnOff capability on endpoint 1.
    const res = await mi('ListManagedThingSchemas', { Identifier: ids.thing as string });
    expect(res.status, res.text).toBe(200);
    expect(res.json.Items).toEqual([
      { EndpointId: '1', CapabilityId: 'matter.OnOff@1.4', Schema: capabilitySchema('OnOff') },
    ]);
    for (const [filter, count] of [
      [{ EndpointIdFilter: '1' }, 1],
      [{ EndpointIdFilter: '2' }, 0],
      [{ CapabilityIdFilter: 'matter.OnOff' }, 1],
      [{ CapabilityIdFilter: 'matter.OnOff@1.4' }, 1],
      [{ CapabilityIdFilter: 'matter.FanControl' }, 0],
    ] as const) {
      const filtered = await mi('ListManagedThingSchemas', {
        Identifier: ids.thing as string,
        ...filter,
      });
      expect((filtered.json.Items as unknown[]).length, JSON.stringify(filter)).toBe(count);
    }
    expect((await mi('ListManagedThingSchemas', { Identifier: 'nosuchthing' })).status).toBe(404);
  });
});

describe('default encryption configuration', () => {
  it('starts as the service default, takes a customer key, and refuses inconsistent input', async () => {
    const initial = await mi('GetDefaultEncryptionConfiguration', {});
    expect(initial.json).toEqual({
      configurationStatus: { state: 'ENABLED' },
      encryptionType: 'MANAGED_INTEGRATIONS_DEFAULT_ENCRYPTION',
    });
    const kmsKeyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const put = await mi('PutDefaultEncryptionConfiguration', {
      encryptionType: 'CUSTOMER_KEY_ENCRYPTION',
      kmsKeyArn,
    });
    expect(put.status, put.text).toBe(201);
    const expected = {
      configurationStatus: { state: 'ENABLED' },
      encryptionType: 'CUSTOMER_KEY_ENCRYPTION',
      kmsKeyArn,
    };
    expect(put.json).toEqual(expected);
    expect((await mi('GetDefaultEncryptionConfiguration', {})).json).toEqual(expected);
    const noKey = await mi('PutDefaultEncryptionConfiguration', {
      encryptionType: 'CUSTOMER_KEY_ENCRYPTION',
    });
    expect(noKey.status, noKey.text).toBe(400);
    const keyWithDefault = await mi('PutDefaultEncryptionConfiguration', {
      encryptionType: 'MANAGED_INTEGRATIONS_DEFAULT_ENCRYPTION',
      kmsKeyArn,
    });
    expect(keyWithDefault.status, keyWithDefault.text).toBe(400);
    expect((await mi('GetDefaultEncryptionConfiguration', {})).json).toEqual(expected);
  });
});

describe('connectivity after the link is gone', () => {
  it('a thing deregistered from its deleted account association is disconnected', async () => {
    const deregistered = await mi('DeregisterAccountAssociation', {
      ManagedThingId: ids.thing as string,
      AccountAssociationId: ids.association as string,
    });
    expect(deregistered.status, deregistered.text).toBe(200);
    const deleted = await mi('DeleteAccountAssociation', {
      AccountAssociationId: ids.association as string,
    });
    expect(deleted.status, deleted.text).toBeLessThan(300);
    await stack.emu.app.managedIntegrations.drain();
    const res = await mi('GetManagedThingConnectivityData', { Identifier: ids.thing as string });
    expect(res.json).toMatchObject({
      ManagedThingId: ids.thing,
      Connected: false,
      DisconnectReason: 'CLIENT_INITIATED_DISCONNECT',
    });
  });
});

import { capabilitySchema } from '@c2c-kit/matter';
import { fanReport } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startC2cStack } from '../../packages/emulator/tests/helpers/c2c-stack.js';
import { type Boto3Target, boto3, boto3Missing } from './boto3.js';

// The operations a customer app calls around a managed thing (UpdateManagedThing, metadata,
// connectivity, schemas, tags, default encryption), sent by boto3: its own serialisers put the
// ARN in the path, TagKeys in the query and parse the Schema document and the timestamps.

let stack: Awaited<ReturnType<typeof startC2cStack>>;
let customer: Boto3Target;
const ids: Record<string, string> = {};

beforeAll(async () => {
  const missing = boto3Missing();
  if (missing !== undefined) throw new Error(missing);
  stack = await startC2cStack();
  const credentials = stack.emu.app.emulatorConfig.credentials[0];
  if (credentials === undefined) throw new Error('the emulator has no credentials');
  customer = { endpoint: stack.emu.url, region: stack.emu.app.emulatorConfig.region, credentials };
  ids.association = await stack.link();
  ids.discovery = await stack.discover(ids.association, [
    { id: 'fan-1', name: 'Fan', report: fanReport() },
  ]);
  const thing = await stack.mi('CreateManagedThing', {
    Role: 'DEVICE',
    AuthenticationMaterialType: 'DISCOVERED_DEVICE',
    AuthenticationMaterial: `CLOUD:${ids.discovery}:fan-1`,
  });
  ids.thing = thing.json.Id as string;
  ids.arn = thing.json.Arn as string;
  const registered = await stack.mi('RegisterAccountAssociation', {
    ManagedThingId: ids.thing,
    AccountAssociationId: ids.association,
    DeviceDiscoveryId: ids.discovery,
  });
  expect(registered.status, registered.text).toBe(201);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('boto3: managed thing details, schemas, tags and encryption', () => {
  it('answers each call as boto3 parses it', async () => {
    const thing = ids.thing as string;
    const arn = ids.arn as string;
    const results = await boto3(customer, [
      {
        operation: 'UpdateManagedThing',
        input: { Identifier: thing, Name: 'Hall fan', MetaData: { room: 'hall' } },
      },
      { operation: 'GetManagedThingMetaData', input: { Identifier: thing } },
      { operation: 'GetManagedThingConnectivityData', input: { Identifier: thing } },
      {
        operation: 'ListManagedThingSchemas',
        input: { Identifier: thing, CapabilityIdFilter: 'matter.OnOff' },
      },
      { operation: 'TagResource', input: { ResourceArn: arn, Tags: { env: 'dev', team: 'a' } } },
      { operation: 'UntagResource', input: { ResourceArn: arn, TagKeys: ['team', 'absent'] } },
      { operation: 'ListTagsForResource', input: { ResourceArn: arn } },
      {
        operation: 'GetSchemaVersion',
        input: { Type: 'capability', SchemaVersionedId: 'matter.OnOff@1.4', Format: 'ZCL' },
      },
      { operation: 'ListSchemaVersions', input: { Type: 'capability', SchemaId: 'matter.OnOff' } },
      {
        operation: 'PutDefaultEncryptionConfiguration',
        input: { encryptionType: 'MANAGED_INTEGRATIONS_DEFAULT_ENCRYPTION' },
      },
      { operation: 'GetDefaultEncryptionConfiguration', input: {} },
      { operation: 'GetManagedThing', input: { Identifier: thing } },
    ]);
    const [update, meta, connectivity, schemas, tag, untag, tags, schema, versions, put, get, got] =
      results;
    expect(update).toMatchObject({ ok: true, status: 204 });
    expect(meta).toEqual({
      ok: true,
      status: 200,
      output: { ManagedThingId: thing, MetaData: { room: 'hall' } },
    });
    expect(connectivity).toMatchObject({
      ok: true,
      output: { ManagedThingId: thing, Connected: true, DisconnectReason: 'NONE' },
    });
    // boto3 parsed the epoch-seconds number as a timestamp.
    const at = connectivity?.ok ? String(connectivity.output.Timestamp) : '';
    expect(Date.parse(at)).toBeGreaterThan(Date.now() - 60_000);
    expect(schemas).toMatchObject({
      ok: true,
      output: {
        Items: [
          { EndpointId: '1', CapabilityId: 'matter.OnOff@1.4', Schema: capabilitySchema('OnOff') },
        ],
      },
    });
    expect(tag).toMatchObject({ ok: true, status: 200 });
    expect(untag).toMatchObject({ ok: true, status: 200 });
    expect(tags).toMatchObject({ ok: true, output: { tags: { env: 'dev' } } });
    expect(schema).toMatchObject({
      ok: true,
      output: { SchemaId: 'matter.OnOff', Schema: capabilitySchema('OnOff', 'ZCL') },
    });
    expect(versions?.ok && versions.output.Items).toHaveLength(1);
    const encryption = {
      configurationStatus: { state: 'ENABLED' },
      encryptionType: 'MANAGED_INTEGRATIONS_DEFAULT_ENCRYPTION',
    };
    expect(put).toEqual({ ok: true, status: 201, output: encryption });
    expect(get).toEqual({ ok: true, status: 200, output: encryption });
    expect(got).toMatchObject({ ok: true, output: { Name: 'Hall fan', Tags: { env: 'dev' } } });
  });

  it('reads the modelled errors boto3 expects', async () => {
    const prefix = (ids.arn as string).split(':managed-thing/')[0];
    const [noThing, noSchema, noTagTarget, badKms] = await boto3(customer, [
      { operation: 'GetManagedThingMetaData', input: { Identifier: 'nosuchthing' } },
      {
        operation: 'GetSchemaVersion',
        input: { Type: 'capability', SchemaVersionedId: 'matter.Nope@1.4' },
      },
      { operation: 'ListTagsForResource', input: { ResourceArn: `${prefix}:ota-task/abc123` } },
      {
        operation: 'PutDefaultEncryptionConfiguration',
        input: { encryptionType: 'CUSTOMER_KEY_ENCRYPTION' },
      },
    ]);
    expect(noThing).toMatchObject({ ok: false, status: 404, code: 'ResourceNotFoundException' });
    expect(noSchema).toMatchObject({ ok: false, status: 404, code: 'ResourceNotFoundException' });
    expect(noTagTarget).toMatchObject({
      ok: false,
      status: 404,
      code: 'ResourceNotFoundException',
    });
    expect(badKms).toMatchObject({ ok: false, status: 400, code: 'ValidationException' });
  });
});

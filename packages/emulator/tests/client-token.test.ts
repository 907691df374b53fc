import { OPERATIONS, type OperationName } from '@c2c-kit/protocol';
import { fanReport } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startC2cStack } from './helpers/c2c-stack.js';
import { notImplementedOperations, ownClient } from './helpers/operations.js';

// ClientToken on every implemented operation that has one (taken from the model): the same token
// with the same parameters, however the JSON spells them, answers the first result and does the
// work once; the same token with other parameters is a ConflictException. And
// UpdateConnectorDestination applies every member it accepts, or refuses it.

type Mi = ReturnType<typeof ownClient>;
let stack: Awaited<ReturnType<typeof startC2cStack>>;
let mi: Mi;
let secret: { arn: string; versionId: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startC2cStack();
  mi = ownClient(stack.emu);
  const destination = await mi('GetConnectorDestination', { Identifier: stack.destinationId });
  secret = destination.json.SecretsManager as typeof secret;
  ids.association = await stack.link();
  ids.discovery = await stack.discover(ids.association, [
    { id: 'fan-1', name: 'Fan', report: fanReport() },
  ]);
});

afterAll(async () => {
  await stack?.close();
});

/** Reverses the key order of an object and of every object inside it (same value, other JSON). */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

interface TokenCase {
  /** Parameters of the first call (without ClientToken). */
  readonly input: () => Record<string, unknown>;
  /** The same call with one parameter changed. */
  readonly other: (input: Record<string, unknown>) => Record<string, unknown>;
  /** How many resources the work made so far (must grow by exactly one). */
  readonly count: () => Promise<number>;
}

async function count(name: OperationName, input: Record<string, unknown>, key = 'Items') {
  const res = await mi(name, { ...input, MaxResults: 1000 } as never);
  expect(res.status, res.text).toBe(200);
  return (res.json[key] as unknown[]).length;
}

const CASES: Record<string, TokenCase> = {
  CreateCloudConnector: {
    input: () => ({ Name: 'token-connector', EndpointConfig: { lambda: { arn: 'token-fn' } } }),
    other: (i) => ({ ...i, Description: 'another one' }),
    count: () => count('ListCloudConnectors', {}),
  },
  CreateConnectorDestination: {
    input: () => ({
      CloudConnectorId: stack.connectorId,
      AuthConfig: { GeneralAuthorization: [{ AuthMaterialName: 'key', SecretsManager: secret }] },
    }),
    other: (i) => ({ ...i, Name: 'other' }),
    count: () => count('ListConnectorDestinations', {}, 'ConnectorDestinationList'),
  },
  CreateAccountAssociation: {
    input: () => ({ ConnectorDestinationId: stack.destinationId, Name: 'token-link' }),
    other: (i) => ({ ...i, Name: 'other-link' }),
    count: () => count('ListAccountAssociations', {}),
  },
  CreateDestination: {
    input: () => ({
      Name: 'token-destination',
      DeliveryDestinationArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/token',
      DeliveryDestinationType: 'KINESIS',
      RoleArn: 'arn:aws:iam::111122223333:role/token',
    }),
    other: (i) => ({ ...i, Description: 'other' }),
    count: () => count('ListDestinations', {}, 'DestinationList'),
  },
  CreateNotificationConfiguration: {
    input: () => ({ EventType: 'DEVICE_EVENT', DestinationName: 'token-destination' }),
    other: (i) => ({ ...i, EventType: 'DEVICE_STATE' }),
    count: () => count('ListNotificationConfigurations', {}, 'NotificationConfigurationList'),
  },
  CreateManagedThing: {
    input: () => ({
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${ids.discovery}:fan-1`,
      MetaData: { a: '1', b: '2' },
    }),
    other: (i) => ({ ...i, MetaData: { a: '1', b: '3' } }),
    count: () => count('ListManagedThings', {}),
  },
  StartDeviceDiscovery: {
    input: () => ({ DiscoveryType: 'CLOUD', AccountAssociationId: ids.association }),
    other: (i) => ({ ...i, Tags: { k: 'v' } }),
    count: () => count('ListDeviceDiscoveries', {}),
  },
};

describe('ClientToken', () => {
  it('every implemented operation with a ClientToken has a case, and models a ConflictException', () => {
    const skip = notImplementedOperations();
    const withToken = Object.values(OPERATIONS)
      .filter(
        (op) => (op.bodyMembers as readonly string[]).includes('ClientToken') && !skip.has(op.name),
      )
      .map((op) => op.name)
      .sort();
    expect(Object.keys(CASES).sort()).toEqual(withToken);
    for (const name of withToken) {
      expect(OPERATIONS[name as OperationName].errors, name).toContain('ConflictException');
    }
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: same token and parameters replay once; other parameters conflict`, async () => {
      const op = name as OperationName;
      const token = `token-${name}`;
      const before = await c.count();
      const first = await mi(op, { ...c.input(), ClientToken: token } as never);
      expect(first.status, first.text).toBe(OPERATIONS[op].successCode);
      await stack.emu.app.managedIntegrations.drain();
      const made = await c.count();
      // CreateManagedThing for a device that has a thing returns it; here it is the first.
      expect(made).toBe(before + 1);

      const again = await mi(op, reordered({ ClientToken: token, ...c.input() }) as never);
      expect(again.status, again.text).toBe(first.status);
      expect(again.json).toEqual(first.json);
      await stack.emu.app.managedIntegrations.drain();
      expect(await c.count()).toBe(made);

      const conflict = await mi(op, { ...c.other(c.input()), ClientToken: token } as never);
      expect(conflict.status, conflict.text).toBe(409);
      expect(conflict.headers['x-amzn-errortype']).toBe('ConflictException');
      expect(await c.count()).toBe(made);
    });
  }
});

describe('UpdateConnectorDestination', () => {
  const material = (name: string) => ({ AuthMaterialName: name, SecretsManager: secret });
  const other = () => ({ ...secret, versionId: `${secret.versionId.slice(0, -1)}x` });

  it('adds and updates General Authorization materials, and refuses what it cannot apply', async () => {
    const created = await mi('CreateConnectorDestination', {
      CloudConnectorId: stack.connectorId,
      AuthConfig: { GeneralAuthorization: [material('a')] },
    });
    const id = created.json.Id as string;
    const update = (AuthConfig: Record<string, unknown>) =>
      mi('UpdateConnectorDestination', { Identifier: id, AuthConfig } as never);
    const materials = async () =>
      (
        (await mi('GetConnectorDestination', { Identifier: id })).json.AuthConfig as {
          GeneralAuthorization: Array<{ AuthMaterialName: string; SecretsManager: unknown }>;
        }
      ).GeneralAuthorization;

    const added = await update({
      GeneralAuthorizationUpdate: {
        AuthMaterialsToAdd: [material('b')],
        AuthMaterialsToUpdate: [{ AuthMaterialName: 'a', SecretsManager: other() }],
      },
    });
    expect(added.status, added.text).toBe(204);
    expect(await materials()).toEqual([
      { AuthMaterialName: 'a', SecretsManager: other() },
      material('b'),
    ]);

    for (const [why, body] of [
      [
        'add an existing name',
        { GeneralAuthorizationUpdate: { AuthMaterialsToAdd: [material('a')] } },
      ],
      [
        'update a missing name',
        { GeneralAuthorizationUpdate: { AuthMaterialsToUpdate: [material('z')] } },
      ],
      [
        'more than 3 materials',
        { GeneralAuthorizationUpdate: { AuthMaterialsToAdd: [material('c'), material('d')] } },
      ],
      [
        'OAuth settings on a General Authorization destination',
        { oAuthUpdate: { oAuthCompleteRedirectUrl: 'https://x.example.com/done' } },
      ],
    ] as const) {
      const res = await update(body);
      expect(res.status, `${why}: ${res.text}`).toBe(400);
      expect(res.headers['x-amzn-errortype']).toBe('ValidationException');
    }
    expect((await materials()).map((m) => m.AuthMaterialName)).toEqual(['a', 'b']);
    const oauthType = await mi('UpdateConnectorDestination', { Identifier: id, AuthType: 'OAUTH' });
    expect(oauthType.status, oauthType.text).toBe(400);
  });

  it('applies OAuth settings, names and a new secret to an OAuth destination', async () => {
    const id = stack.destinationId;
    const res = await mi('UpdateConnectorDestination', {
      Identifier: id,
      Name: 'renamed',
      Description: 'new description',
      AuthType: 'OAUTH',
      AuthConfig: {
        oAuthUpdate: {
          oAuthCompleteRedirectUrl: 'https://app.example.com/done',
          proactiveRefreshTokenRenewal: { enabled: true, DaysBeforeRenewal: 30 },
        },
      },
      SecretsManager: secret,
    });
    expect(res.status, res.text).toBe(204);
    const got = await mi('GetConnectorDestination', { Identifier: id });
    expect(got.json).toMatchObject({
      Name: 'renamed',
      Description: 'new description',
      AuthType: 'OAUTH',
      OAuthCompleteRedirectUrl: 'https://app.example.com/done',
      AuthConfig: {
        oAuth: {
          oAuthCompleteRedirectUrl: 'https://app.example.com/done',
          proactiveRefreshTokenRenewal: { enabled: true, DaysBeforeRenewal: 30 },
        },
      },
    });
    const ga = await mi('UpdateConnectorDestination', {
      Identifier: id,
      AuthConfig: { GeneralAuthorizationUpdate: { AuthMaterialsToAdd: [material('x')] } },
    });
    expect(ga.status, ga.text).toBe(400);
    // A secret reference that cannot be read is refused and leaves the destination as it was.
    const badSecret = await mi('UpdateConnectorDestination', {
      Identifier: id,
      SecretsManager: other(),
    });
    expect(badSecret.status, badSecret.text).toBe(400);
    expect((await mi('GetConnectorDestination', { Identifier: id })).json.SecretsManager).toEqual(
      secret,
    );
  });
});

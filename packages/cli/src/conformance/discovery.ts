import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { getAttribute, getCluster, getCommand, getDeviceType, getEvent } from '@c2c-kit/matter';
import { formatIssue } from '@c2c-kit/protocol';
import { validateDocument } from '../commands/validate.js';
import type { Json } from '../dev/demoSetup.js';
import type { RunContext } from './context.js';
import { judgeOperation } from './contract.js';
import { type ConnectorEvent, waitFor } from './session.js';
import { type CheckOutcome, fail, notRun, pass } from './types.js';

// Account linking through the service (the browser's part played by the vendor driver), then
// discovery: the DEVICE_DISCOVERY that comes back, its capability reports, and a re-discovery
// after the vendor's device list changed.

/** The connector destination to link through: the stack's, or one for the vendor config's cloud. */
async function destinationId(ctx: RunContext): Promise<string> {
  const { session } = ctx;
  const settings = session.vendor.destination;
  if (settings === undefined) {
    const own = session.stack.connectorDestinationId;
    if (own === undefined)
      throw new Error('the connector has no connector destination to link through');
    return own;
  }
  const secrets = new SecretsManagerClient({
    endpoint: session.stack.emulatorUrl,
    region: session.stack.region,
    credentials: session.stack.customer.credentials,
  });
  try {
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: `c2c-test/oauth-client-${randomBytes(4).toString('hex')}`,
        SecretString: JSON.stringify({
          clientId: settings.clientId,
          clientSecret: settings.clientSecret,
        }),
      }),
    );
    const created = await session.call<{ Id: string }>('link', 'CreateConnectorDestination', {
      Name: `c2c-test-${randomBytes(4).toString('hex')}`,
      CloudConnectorId: session.stack.connectorId,
      AuthType: 'OAUTH',
      AuthConfig: {
        oAuth: {
          authUrl: settings.authUrl,
          tokenUrl: settings.tokenUrl,
          ...(settings.scope ? { scope: settings.scope } : {}),
          tokenEndpointAuthenticationScheme: settings.scheme,
        },
      },
      SecretsManager: { arn: secret.ARN, versionId: secret.VersionId },
    });
    return created.Id;
  } finally {
    secrets.destroy();
  }
}

/** Links the test user through the service; the ActivateUser it makes is judged with the probes. */
export async function link(ctx: RunContext): Promise<void> {
  const { session, state } = ctx;
  const login = session.vendor.login;
  if (login === undefined) {
    await ctx.check('contract.activate-user', async () =>
      notRun('account linking needs a vendor login (user.username and user.password)'),
    );
    return;
  }
  await ctx.check('contract.activate-user', async () => {
    const association = await session.call<{
      AccountAssociationId: string;
      OAuthAuthorizationUrl: string;
    }>('link', 'CreateAccountAssociation', {
      ConnectorDestinationId: await destinationId(ctx),
      Name: 'c2c-test',
    });
    state.associationId = association.AccountAssociationId;
    await login.call(session.vendor, association.OAuthAuthorizationUrl);
    const linked = await waitFor(session.settings.ackMs * 8, async () => {
      const got = await session.call<{ AssociationState: string; ErrorMessage?: string }>(
        'link',
        'GetAccountAssociation',
        { AccountAssociationId: association.AccountAssociationId },
      );
      return got.AssociationState === 'ASSOCIATION_IN_PROGRESS' ? undefined : got;
    });
    const judged = judgeOperation(ctx, 'AWS.ActivateUser');
    if (judged.status !== 'pass') return judged;
    if (linked?.AssociationState !== 'ASSOCIATION_SUCCEEDED') {
      return fail(
        `account linking ended ${linked?.AssociationState ?? 'never'}: ${linked?.ErrorMessage ?? ''}`,
      );
    }
    return judged;
  });
}

const isDiscovery = (e: ConnectorEvent) => e.operation === 'DEVICE_DISCOVERY';

/** Starts a discovery and waits for the connector's DEVICE_DISCOVERY (accepted or refused). */
async function discover(ctx: RunContext): Promise<{ id: string; event?: ConnectorEvent }> {
  const { session } = ctx;
  const before = (await session.events()).filter(isDiscovery).length;
  const started = await session.call<{ Id: string }>('discovery', 'StartDeviceDiscovery', {
    DiscoveryType: 'CLOUD',
    AccountAssociationId: ctx.state.associationId,
  });
  const event = await waitFor(session.settings.discoveryMs, async () => {
    const all = (await session.events()).filter(isDiscovery);
    return all.length > before ? all[all.length - 1] : undefined;
  });
  return { id: started.Id, ...(event ? { event } : {}) };
}

/** Devices reported by a DEVICE_DISCOVERY body. */
function devicesOf(event: ConnectorEvent | undefined): Json[] {
  const devices = event?.body.Devices;
  return Array.isArray(devices) ? (devices as Json[]) : [];
}

export async function discovery(ctx: RunContext): Promise<void> {
  const { session, state } = ctx;
  if (state.associationId === undefined || !ctx.passed('contract.activate-user')) {
    await ctx.check('contract.discover-devices', async () => notRun('no account is linked'));
    return;
  }
  let found: { id: string; event?: ConnectorEvent } | undefined;
  await ctx.check('contract.discover-devices', async () => {
    found = await discover(ctx);
    state.discoveryId = found.id;
    return judgeOperation(ctx, 'AWS.DiscoverDevices');
  });
  const first = found;
  if (first === undefined) return;
  await ctx.check('discovery.discovery-id', async () => {
    if (first.event === undefined) {
      return fail(`no DEVICE_DISCOVERY within ${session.settings.discoveryMs} ms`, {
        expected: `DEVICE_DISCOVERY with DeviceDiscoveryId ${first.id}`,
      });
    }
    const got = first.event.body.DeviceDiscoveryId;
    if (got !== first.id || !first.event.accepted) {
      return fail(`DEVICE_DISCOVERY carried DeviceDiscoveryId ${JSON.stringify(got)}`, {
        sent: { DeviceDiscoveryId: first.id },
        answer: first.event.body,
        expected: `DeviceDiscoveryId ${first.id}, the id AWS.DiscoverDevices carried`,
        details: first.event.reason ? [`the service refused it: ${first.event.reason}`] : [],
      });
    }
    const status = Number(first.event.body.StatusCode ?? 200);
    if (status >= 300) {
      return fail(
        `the discovery failed: StatusCode ${status} ${String(first.event.body.Message ?? '')}`,
        {
          answer: first.event.body,
          expected: "a successful DEVICE_DISCOVERY listing the test user's devices",
        },
      );
    }
    return devicesOf(first.event).length > 0
      ? pass(`${devicesOf(first.event).length} device(s)`)
      : fail('the discovery reported no device; the test user has one of every kind', {
          answer: first.event.body,
          expected: 'at least one device',
        });
  });
  await ctx.check('discovery.capability-report', async () => {
    if (first.event === undefined) return notRun('no DEVICE_DISCOVERY arrived');
    const issues = reportIssues(first.event.body);
    return issues.length === 0
      ? pass(`${devicesOf(first.event).length} report(s)`)
      : fail(issues[0] as string, {
          answer: first.event.body,
          expected: 'capability reports the service and Matter 1.4 accept',
          details: issues.slice(0, 20),
        });
  });
  if (!ctx.passed('discovery.discovery-id')) return;
  await registerThings(ctx, first.id, devicesOf(first.event));
  await ctx.check('discovery.rediscovery', () => rediscovery(ctx));
}

/** The model's validation of the whole request, then every report against the Matter table. */
export function reportIssues(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  // ConnectorId travels in the URI; validateDocument checks the body as the service routes it.
  const valid = validateDocument(JSON.stringify(body));
  if (!valid.valid) out.push(...valid.issues.map((i) => formatIssue(i)));
  devicesOf({ body } as ConnectorEvent).forEach((device, d) => {
    const report = device.CapabilityReport as Json | undefined;
    const endpoints = Array.isArray(report?.endpoints) ? (report.endpoints as Json[]) : [];
    if (endpoints.length === 0) out.push(`Devices[${d}].CapabilityReport: no endpoints`);
    endpoints.forEach((endpoint, e) => {
      const at = `Devices[${d}].CapabilityReport.endpoints[${e}]`;
      for (const type of (endpoint.deviceTypes as string[] | undefined) ?? []) {
        if (getDeviceType(type) === undefined)
          out.push(`${at}.deviceTypes: ${type} is not a Matter 1.4 device type`);
      }
      ((endpoint.clusters as Json[] | undefined) ?? []).forEach((cluster, c) => {
        const where = `${at}.clusters[${c}]`;
        const def = getCluster(String(cluster.id));
        if (def === undefined) {
          out.push(`${where}: cluster ${String(cluster.id)} is not a Matter 1.4 cluster`);
          return;
        }
        const revision = cluster.revision;
        if (
          !Number.isInteger(revision) ||
          (revision as number) < 1 ||
          (revision as number) > def.awsRevision
        ) {
          out.push(
            `${where}.revision: ${String(revision)}, expected 1-${def.awsRevision} (${def.name} in Matter 1.4)`,
          );
        }
        for (const a of (cluster.attributes as Json[] | undefined) ?? []) {
          if (getAttribute(def, String(a.id)) === undefined)
            out.push(`${where}: attribute ${String(a.id)} is not in ${def.name}`);
        }
        for (const id of (cluster.commands as string[] | undefined) ?? []) {
          if (getCommand(def, id, 'request') === undefined)
            out.push(`${where}: command ${id} is not a ${def.name} request`);
        }
        for (const id of (cluster.events as string[] | undefined) ?? []) {
          if (getEvent(def, id) === undefined)
            out.push(`${where}: event ${id} is not in ${def.name}`);
        }
      });
    });
  });
  return out;
}

/** A managed thing per discovered device, registered to the link (as a customer app does). */
async function registerThings(
  ctx: RunContext,
  discoveryId: string,
  devices: Json[],
): Promise<void> {
  const { session, state } = ctx;
  for (const device of devices) {
    const deviceId = String(device.ConnectorDeviceId);
    const created = await session.call<{ Id: string }>('things', 'CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `${discoveryId}:${deviceId}`,
    });
    await session.call('things', 'RegisterAccountAssociation', {
      ManagedThingId: created.Id,
      AccountAssociationId: state.associationId,
      DeviceDiscoveryId: discoveryId,
    });
    state.things.push({
      thingId: created.Id,
      deviceId,
      report: (device.CapabilityReport ?? {}) as Record<string, unknown>,
    });
  }
}

async function rediscovery(ctx: RunContext): Promise<CheckOutcome> {
  const { vendor } = ctx.session;
  const like = ctx.state.things[0]?.deviceId;
  if (vendor.addDevice === undefined || vendor.removeDevice === undefined || like === undefined) {
    return notRun(
      'the vendor config gives no way to add and remove a device (devices.add, devices.remove)',
    );
  }
  const added = await vendor.addDevice(like);
  const after = await discover(ctx);
  const ids = (e?: ConnectorEvent) => devicesOf(e).map((d) => String(d.ConnectorDeviceId));
  if (!ids(after.event).includes(added)) {
    return fail(`a re-discovery after the vendor added ${added} did not report it`, {
      answer: after.event?.body,
      expected: `DEVICE_DISCOVERY listing ${added}`,
    });
  }
  await vendor.removeDevice(added);
  const gone = await discover(ctx);
  if (gone.event === undefined || ids(gone.event).includes(added)) {
    return fail(`a re-discovery after the vendor removed ${added} still reported it`, {
      answer: gone.event?.body,
      expected: `DEVICE_DISCOVERY without ${added}`,
    });
  }
  return pass(`added ${added}, then removed it`);
}

import { type DevStack, oauthLogin } from '@c2c-kit/cli';
import type { OperationName, OperationShapes } from '@c2c-kit/protocol';
import { fanModeEndpoints, until } from '@c2c-kit/testing';

type Json = Record<string, unknown>;

/** One managed-integrations call as the stack's customer; anything but 2xx throws, naming it. */
export async function call<T = Json>(stack: DevStack, name: string, input: Json = {}): Promise<T> {
  const response = await stack.client.send(
    name as OperationName,
    input as OperationShapes[OperationName]['input'],
  );
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw new Error(
      `${name} → ${response.statusCode} ${response.errorType ?? ''} ${JSON.stringify(response.body)}`,
    );
  }
  return response.body as T;
}

/** Links a vendor user as a customer app does (OAuth code flow through the vendor login page). */
export async function linkAccount(
  stack: DevStack,
  username: string,
  password: string,
  name = `${username}-home`,
): Promise<string> {
  const created = await call<{ AccountAssociationId: string; OAuthAuthorizationUrl: string }>(
    stack,
    'CreateAccountAssociation',
    { ConnectorDestinationId: stack.connectorDestinationId, Name: name },
  );
  await oauthLogin(created.OAuthAuthorizationUrl, username, password);
  await until('the link succeeded', async () => {
    const got = await call<{ AssociationState: string }>(stack, 'GetAccountAssociation', {
      AccountAssociationId: created.AccountAssociationId,
    });
    return got.AssociationState === 'ASSOCIATION_SUCCEEDED' ? got : undefined;
  });
  return created.AccountAssociationId;
}

/** StartDeviceDiscovery through a link; waits for it to end and returns its id and status. */
export async function discover(
  stack: DevStack,
  accountAssociationId: string,
): Promise<{ id: string; status: string; devices: Json[] }> {
  const started = await call<{ Id: string }>(stack, 'StartDeviceDiscovery', {
    DiscoveryType: 'CLOUD',
    AccountAssociationId: accountAssociationId,
  });
  const status = await until('the discovery ended', async () => {
    const got = await call<{ Status: string }>(stack, 'GetDeviceDiscovery', {
      Identifier: started.Id,
    });
    return got.Status === 'RUNNING' ? undefined : got.Status;
  });
  const listed = await call<{ Items?: Json[] }>(stack, 'ListDiscoveredDevices', {
    Identifier: started.Id,
  });
  return { id: started.Id, status, devices: listed.Items ?? [] };
}

/** CreateManagedThing (or the thing the device already has) + RegisterAccountAssociation. */
export async function addThing(
  stack: DevStack,
  accountAssociationId: string,
  discovery: { id: string; devices: Json[] },
  connectorDeviceId: string,
): Promise<{ id: string; arn: string }> {
  const device = discovery.devices.find((d) => d.ConnectorDeviceId === connectorDeviceId);
  if (device === undefined) throw new Error(`${connectorDeviceId} was not discovered`);
  const created = await call<{ Id: string; Arn: string }>(stack, 'CreateManagedThing', {
    Role: 'DEVICE',
    AuthenticationMaterialType: 'DISCOVERED_DEVICE',
    AuthenticationMaterial: `CLOUD:${discovery.id}:${connectorDeviceId}`,
  });
  await call(stack, 'RegisterAccountAssociation', {
    ManagedThingId: created.Id,
    AccountAssociationId: accountAssociationId,
    DeviceDiscoveryId: discovery.id,
  });
  return { id: created.Id, arn: created.Arn };
}

/** Sets a fan's FanMode by command and waits until the thing's state shows it. */
export async function setFanMode(stack: DevStack, thingId: string, mode: number): Promise<void> {
  await call(stack, 'SendManagedThingCommand', {
    ManagedThingId: thingId,
    Endpoints: fanModeEndpoints(mode),
  });
  await until(`FanMode ${mode}`, async () => {
    const state = await call<{ Endpoints?: Array<{ capabilities?: Json[] }> }>(
      stack,
      'GetManagedThingState',
      { ManagedThingId: thingId },
    );
    const capability = (state.Endpoints ?? [])
      .flatMap((e) => e.capabilities ?? [])
      .find((c) => c.id === 'matter.FanControl@1.4');
    const properties = (capability?.properties ?? []) as Array<{ name: string; value: unknown }>;
    return properties.find((p) => p.name === 'FanMode')?.value === mode ? true : undefined;
  });
}

/** DEVICE_EVENT notifications the stack's customer received about one managed thing. */
export async function deviceEventsAbout(stack: DevStack, thingArn: string): Promise<Json[]> {
  const res = await fetch(
    `${stack.emulatorUrl}/_local/notifications?account=${stack.customer.accountId}&eventType=DEVICE_EVENT&limit=1000`,
  );
  const body = (await res.json()) as { Items: Array<Json & { resources: string[] }> };
  return body.Items.filter((n) => n.resources.includes(thingArn));
}

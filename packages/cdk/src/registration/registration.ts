import { createHash } from 'node:crypto';
import { RegistrationError } from '../errors.js';
import { sendResponse } from './cfnResponse.js';
import {
  type AuthMaterialProperties,
  CLOUD_CONNECTOR_TYPE,
  CONNECTOR_DESTINATION_TYPE,
  type CustomResourceEvent,
  type CustomResourceResponse,
} from './types.js';

/** The managed-integrations operations the handler calls, by name (c2c-kit's signed client). */
export interface RegistrationApi {
  call(operation: string, input: Record<string, unknown>): Promise<unknown>;
}

export interface RegistrationDeps {
  readonly api: RegistrationApi;
  /** The AWSCURRENT version id of a secret (DescribeSecret): the service wants arn + versionId. */
  readonly currentSecretVersion: (secretArn: string) => Promise<string>;
  /** Default: PUT to the response URL (`sendResponse`). */
  readonly respond?: (url: string, response: CustomResourceResponse) => Promise<void>;
  /** One JSON line per event. Default: console.log. */
  readonly log?: (line: Record<string, unknown>) => void;
}

/** Physical id of a resource whose Create failed: its rollback Delete has nothing to remove. */
const NOT_CREATED = 'c2c-not-created-';

interface Outcome {
  readonly physicalId: string;
  readonly data: Record<string, string>;
}

/**
 * The CloudFormation custom-resource handler for `Custom::C2cCloudConnector` and
 * `Custom::C2cConnectorDestination`: creates, updates and deletes them with the signed client,
 * answers through the response URL, and never throws (a failure is a FAILED answer with the
 * reason, so the stack rolls back instead of waiting for a timeout).
 */
export function createRegistrationHandler(
  deps: RegistrationDeps,
): (event: CustomResourceEvent) => Promise<CustomResourceResponse> {
  const respond = deps.respond ?? sendResponse;
  const log = deps.log ?? ((line) => console.log(JSON.stringify(line)));
  return async (event) => {
    const response = await handleEvent(event, deps);
    log({
      requestType: event.RequestType,
      resourceType: event.ResourceType,
      logicalResourceId: event.LogicalResourceId,
      status: response.Status,
      physicalResourceId: response.PhysicalResourceId,
      ...(response.Reason === undefined ? {} : { reason: response.Reason }),
    });
    await respond(event.ResponseURL, response);
    return response;
  };
}

async function handleEvent(
  event: CustomResourceEvent,
  deps: RegistrationDeps,
): Promise<CustomResourceResponse> {
  const base = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  try {
    const kind = KINDS[event.ResourceType];
    if (kind === undefined) {
      throw new RegistrationError(
        `ResourceType: expected ${CLOUD_CONNECTOR_TYPE} or ${CONNECTOR_DESTINATION_TYPE}, got ${event.ResourceType}`,
      );
    }
    let outcome: Outcome;
    if (event.RequestType === 'Delete') {
      await deleteIfPresent(deps, kind.deleteOperation, event.PhysicalResourceId);
      outcome = { physicalId: event.PhysicalResourceId ?? '', data: {} };
    } else {
      outcome = await kind.write(event, deps);
    }
    return {
      ...base,
      Status: 'SUCCESS',
      PhysicalResourceId: outcome.physicalId,
      Data: outcome.data,
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...base,
      Status: 'FAILED',
      Reason: `${name}: ${message}`.slice(0, 1000),
      PhysicalResourceId: event.PhysicalResourceId ?? `${NOT_CREATED}${event.RequestId}`,
    };
  }
}

/** Per resource type: how it is deleted, and how a Create or Update is carried out. */
const KINDS: Record<
  string,
  {
    deleteOperation: string;
    write: (event: CustomResourceEvent, deps: RegistrationDeps) => Promise<Outcome>;
  }
> = {
  [CLOUD_CONNECTOR_TYPE]: { deleteOperation: 'DeleteCloudConnector', write: cloudConnector },
  [CONNECTOR_DESTINATION_TYPE]: {
    deleteOperation: 'DeleteConnectorDestination',
    write: destination,
  },
};

/** Same stack, resource and request → same token: a re-delivered Create makes nothing new. */
export function clientToken(event: CustomResourceEvent): string {
  return createHash('sha256')
    .update(`${event.StackId}\n${event.LogicalResourceId}\n${event.RequestId}`)
    .digest('hex');
}

async function cloudConnector(
  event: CustomResourceEvent,
  deps: RegistrationDeps,
): Promise<Outcome> {
  const props = event.ResourceProperties;
  const current = event.PhysicalResourceId;
  const name = requireString(props, 'Name');
  const description = optionalString(props, 'Description');
  const lambdaArn = requireString(props, 'LambdaArn');
  const old = event.OldResourceProperties;
  // UpdateCloudConnector changes name and description only: another Lambda is another connector
  // (CloudFormation deletes the old one once the stack update succeeds).
  if (event.RequestType === 'Update' && current && old?.LambdaArn === lambdaArn) {
    await deps.api.call(
      'UpdateCloudConnector',
      compact({ Identifier: current, Name: name, Description: description }),
    );
    return { physicalId: current, data: { Id: current } };
  }
  return create(deps, 'CreateCloudConnector', {
    ...compact({ Name: name, Description: description }),
    EndpointType: 'LAMBDA',
    EndpointConfig: { lambda: { arn: lambdaArn } },
    ClientToken: clientToken(event),
  });
}

async function destination(event: CustomResourceEvent, deps: RegistrationDeps): Promise<Outcome> {
  const props = event.ResourceProperties;
  const current = event.PhysicalResourceId;
  const connectorId = requireString(props, 'CloudConnectorId');
  const oauth = props.OAuth as Record<string, unknown> | undefined;
  const general = props.GeneralAuthorization as AuthMaterialProperties[] | undefined;
  if ((oauth === undefined) === (general === undefined)) {
    throw new RegistrationError('expected exactly one of OAuth and GeneralAuthorization');
  }
  const named = compact({
    Name: optionalString(props, 'Name'),
    Description: optionalString(props, 'Description'),
  });
  const oauthUpdate = oauth === undefined ? undefined : oAuthUpdateOf(oauth);
  if (
    event.RequestType === 'Update' &&
    current &&
    !needsNewDestination(props, event.OldResourceProperties ?? {})
  ) {
    const secret =
      oauth === undefined
        ? undefined
        : await secretRef(deps, requireString(oauth, 'clientSecretArn', 'OAuth.'));
    await deps.api.call(
      'UpdateConnectorDestination',
      compact({
        Identifier: current,
        ...named,
        SecretsManager: secret,
        AuthConfig: oauthUpdate === undefined ? undefined : { oAuthUpdate: oauthUpdate },
      }),
    );
    return { physicalId: current, data: { Id: current } };
  }
  let input: Record<string, unknown>;
  if (oauth !== undefined) {
    input = {
      AuthType: 'OAUTH',
      AuthConfig: {
        oAuth: compact({
          authUrl: requireString(oauth, 'authUrl', 'OAuth.'),
          tokenUrl: requireString(oauth, 'tokenUrl', 'OAuth.'),
          scope: optionalString(oauth, 'scope', 'OAuth.'),
          tokenEndpointAuthenticationScheme: requireString(
            oauth,
            'tokenEndpointAuthenticationScheme',
            'OAuth.',
          ),
          ...oauthUpdate,
        }),
      },
      SecretsManager: await secretRef(deps, requireString(oauth, 'clientSecretArn', 'OAuth.')),
    };
  } else {
    const materials = [];
    for (const [i, material] of (general ?? []).entries()) {
      const where = `GeneralAuthorization[${i}].`;
      materials.push({
        AuthMaterialName: requireString(material, 'AuthMaterialName', where),
        SecretsManager: await secretRef(deps, requireString(material, 'SecretArn', where)),
      });
    }
    input = { AuthConfig: { GeneralAuthorization: materials } };
  }
  return create(deps, 'CreateConnectorDestination', {
    CloudConnectorId: connectorId,
    ...named,
    ...input,
    ClientToken: clientToken(event),
  });
}

/**
 * UpdateConnectorDestination can rename, swap the client secret and change the redirect URL and
 * token renewal; anything else (another connector, other OAuth endpoints or scope, the kind of
 * authorization, General Authorization materials) needs a new destination.
 */
function needsNewDestination(
  props: Record<string, unknown>,
  old: Record<string, unknown>,
): boolean {
  if (props.CloudConnectorId !== old.CloudConnectorId) return true;
  if (JSON.stringify(props.GeneralAuthorization) !== JSON.stringify(old.GeneralAuthorization))
    return true;
  const now = props.OAuth as Record<string, unknown> | undefined;
  const before = old.OAuth as Record<string, unknown> | undefined;
  if ((now === undefined) !== (before === undefined)) return true;
  return ['authUrl', 'tokenUrl', 'scope', 'tokenEndpointAuthenticationScheme'].some(
    (key) => now?.[key] !== before?.[key],
  );
}

function oAuthUpdateOf(oauth: Record<string, unknown>): Record<string, unknown> {
  const renewal = oauth.proactiveRefreshTokenRenewal as Record<string, unknown> | undefined;
  return compact({
    oAuthCompleteRedirectUrl: optionalString(oauth, 'oAuthCompleteRedirectUrl', 'OAuth.'),
    proactiveRefreshTokenRenewal:
      renewal === undefined
        ? undefined
        : compact({
            enabled: renewal.enabled === undefined ? undefined : String(renewal.enabled) === 'true',
            DaysBeforeRenewal:
              renewal.DaysBeforeRenewal === undefined
                ? undefined
                : Number(renewal.DaysBeforeRenewal),
          }),
  });
}

async function secretRef(deps: RegistrationDeps, arn: string) {
  return { arn, versionId: await deps.currentSecretVersion(arn) };
}

/** A delete of something already gone (or never created) succeeds: stack deletion stays clean. */
async function deleteIfPresent(deps: RegistrationDeps, operation: string, id: string | undefined) {
  if (!id || id.startsWith(NOT_CREATED)) return;
  try {
    await deps.api.call(operation, { Identifier: id });
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
}

/** A Create call; its `Id` becomes the physical id and the `Id` attribute (`Fn::GetAtt`). */
async function create(
  deps: RegistrationDeps,
  operation: string,
  input: Record<string, unknown>,
): Promise<Outcome> {
  const { Id } = (await deps.api.call(operation, input)) as { Id?: string };
  if (!Id) throw new RegistrationError(`${operation} answered without an Id`);
  return { physicalId: Id, data: { Id } };
}

function requireString(from: object, key: string, where = ''): string {
  const value = (from as Record<string, unknown>)[key];
  if (typeof value !== 'string' || value === '') {
    throw new RegistrationError(`${where}${key}: expected a non-empty string, got ${typeof value}`);
  }
  return value;
}

function optionalString(from: object, key: string, where = ''): string | undefined {
  const value = (from as Record<string, unknown>)[key];
  return value === undefined || value === '' ? undefined : requireString(from, key, where);
}

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BUNDLE_FILE, bundleEntry } from './bundle.js';
import { ConnectorPropsError } from './errors.js';
import {
  CLOUD_CONNECTOR_TYPE,
  type CloudConnectorProperties,
  CONNECTOR_DESTINATION_TYPE,
  type ConnectorDestinationProperties,
} from './registration/types.js';
import { secretReadStatements } from './secretGrants.js';

/** OAuth 2.0 account linking for a ConnectorDestination. */
export interface OAuthDestinationProps {
  /** The vendor's authorization URL. */
  readonly authUrl: string;
  /** The vendor's token URL. */
  readonly tokenUrl: string;
  /** Scopes requested at linking. Default: none. */
  readonly scope?: string;
  /** How the client authenticates at the token URL. Default `HTTP_BASIC`. */
  readonly tokenEndpointAuthenticationScheme?: 'HTTP_BASIC' | 'REQUEST_BODY_CREDENTIALS';
  /** Where the user lands after linking. Default: the service's page. */
  readonly oAuthCompleteRedirectUrl?: string;
  /** Renew refresh tokens this many days (≥ 30) before they expire. Default: off. */
  readonly proactiveRefreshTokenRenewalDays?: number;
  /** Secret holding `{"clientId": "…", "clientSecret": "…"}`; never written into the template. */
  readonly clientSecret: secretsmanager.ISecret;
}

/** One General Authorization material: a secret the service hands the connector by ARN. */
export interface AuthMaterialProps {
  /** `AuthMaterialName` (1–100 of `[a-zA-Z0-9=_+/-]`). */
  readonly name: string;
  readonly secret: secretsmanager.ISecret;
}

/** The ConnectorDestination: exactly one of `oauth` and `generalAuthorization`. */
export interface DestinationProps {
  /** Default: the CloudConnector's name. */
  readonly name?: string;
  readonly description?: string;
  readonly oauth?: OAuthDestinationProps;
  readonly generalAuthorization?: readonly AuthMaterialProps[];
}

export interface ConnectorRegistrationProps {
  readonly connector: lambda.IFunction;
  /** CloudConnector name (`[A-Za-z0-9-_ ]`, ≤ 128). */
  readonly name: string;
  readonly description?: string;
  readonly destination?: DestinationProps;
  readonly logRetention: logs.RetentionDays;
}

/** The registration handler's source next to this file (`.ts` in the workspace, `.js` in dist). */
function handlerEntry(): { entry: string; conditions: string[] } {
  const ts = fileURLToPath(new URL('./registration/handler.ts', import.meta.url));
  if (import.meta.url.endsWith('.ts') && existsSync(ts))
    return { entry: ts, conditions: ['source'] };
  return {
    entry: fileURLToPath(new URL('./registration/handler.js', import.meta.url)),
    conditions: [],
  };
}

/**
 * The CloudConnector (and its ConnectorDestination) as custom resources: CloudFormation has no
 * resource type for them. One small Lambda answers both through the response URL.
 */
export class ConnectorRegistration extends Construct {
  readonly handler: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly cloudConnector: CustomResource;
  readonly destination: CustomResource | undefined;

  constructor(scope: Construct, id: string, props: ConnectorRegistrationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { entry, conditions } = handlerEntry();
    const logGroup = new logs.LogGroup(this, 'HandlerLogs', { retention: props.logRetention });
    this.logGroup = logGroup;
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'c2c-kit registration: creates, updates and deletes the CloudConnector',
    });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ManageCloudConnector',
        // The service authorization reference lists no resource type for cloud connectors or
        // connector destinations, so these actions take no narrower resource than "*".
        actions: [
          'iotmanagedintegrations:CreateCloudConnector',
          'iotmanagedintegrations:UpdateCloudConnector',
          'iotmanagedintegrations:DeleteCloudConnector',
          ...(props.destination
            ? [
                'iotmanagedintegrations:CreateConnectorDestination',
                'iotmanagedintegrations:UpdateConnectorDestination',
                'iotmanagedintegrations:DeleteConnectorDestination',
              ]
            : []),
        ],
        resources: ['*'],
      }),
    );
    const secrets = destinationSecrets(props.destination);
    // The service reads a destination's secrets with the caller's permissions; the handler itself
    // only asks for the current version id (DescribeSecret).
    for (const statement of secretReadStatements(stack, secrets, [
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ])) {
      role.addToPolicy(statement);
    }
    this.handler = new lambda.Function(this, 'Handler', {
      description: 'c2c-kit: CloudConnector / ConnectorDestination custom resource',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(bundleEntry(entry, { conditions })),
      handler: `${BUNDLE_FILE.replace(/\.mjs$/, '')}.handler`,
      memorySize: 256,
      timeout: Duration.minutes(2),
      role,
      logGroup,
    });
    const connector: CloudConnectorProperties = {
      Name: props.name,
      ...(props.description === undefined ? {} : { Description: props.description }),
      LambdaArn: props.connector.functionArn,
    };
    this.cloudConnector = new CustomResource(this, 'CloudConnector', {
      serviceToken: this.handler.functionArn,
      resourceType: CLOUD_CONNECTOR_TYPE,
      properties: { ...connector },
    });
    this.destination = props.destination
      ? new CustomResource(this, 'ConnectorDestination', {
          serviceToken: this.handler.functionArn,
          resourceType: CONNECTOR_DESTINATION_TYPE,
          properties: {
            ...destinationProperties(props.destination, props.name, this.cloudConnector.ref),
          },
        })
      : undefined;
  }
}

function destinationSecrets(destination: DestinationProps | undefined) {
  if (destination === undefined) return [];
  return destination.oauth
    ? [destination.oauth.clientSecret]
    : (destination.generalAuthorization ?? []).map((m) => m.secret);
}

function destinationProperties(
  d: DestinationProps,
  connectorName: string,
  connectorId: string,
): ConnectorDestinationProperties {
  if ((d.oauth === undefined) === (d.generalAuthorization === undefined)) {
    throw new ConnectorPropsError(
      'destination',
      'expected exactly one of oauth and generalAuthorization',
    );
  }
  const named = {
    CloudConnectorId: connectorId,
    Name: d.name ?? connectorName,
    ...(d.description === undefined ? {} : { Description: d.description }),
  };
  if (d.generalAuthorization !== undefined) {
    if (d.generalAuthorization.length === 0) {
      throw new ConnectorPropsError(
        'destination.generalAuthorization',
        'expected at least one material',
      );
    }
    return {
      ...named,
      GeneralAuthorization: d.generalAuthorization.map((m) => ({
        AuthMaterialName: m.name,
        SecretArn: m.secret.secretArn,
      })),
    };
  }
  const o = d.oauth as OAuthDestinationProps;
  const days = o.proactiveRefreshTokenRenewalDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 30)) {
    throw new ConnectorPropsError(
      'destination.oauth.proactiveRefreshTokenRenewalDays',
      `expected an integer ≥ 30, got ${days}`,
    );
  }
  return {
    ...named,
    OAuth: {
      authUrl: o.authUrl,
      tokenUrl: o.tokenUrl,
      ...(o.scope === undefined ? {} : { scope: o.scope }),
      tokenEndpointAuthenticationScheme: o.tokenEndpointAuthenticationScheme ?? 'HTTP_BASIC',
      ...(o.oAuthCompleteRedirectUrl === undefined
        ? {}
        : { oAuthCompleteRedirectUrl: o.oAuthCompleteRedirectUrl }),
      ...(days === undefined
        ? {}
        : { proactiveRefreshTokenRenewal: { enabled: true, DaysBeforeRenewal: days } }),
      clientSecretArn: o.clientSecret.secretArn,
    },
  };
}

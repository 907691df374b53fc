// The registration custom resources' properties, as the construct writes them into the template
// and the handler reads them back. CloudFormation hands every scalar to the handler as a string,
// so booleans and numbers are parsed on the handler's side (`parse.ts`).

/** `Custom::C2cCloudConnector`: one CloudConnector whose endpoint is the connector's Lambda. */
export const CLOUD_CONNECTOR_TYPE = 'Custom::C2cCloudConnector';
/** `Custom::C2cConnectorDestination`: one ConnectorDestination of that CloudConnector. */
export const CONNECTOR_DESTINATION_TYPE = 'Custom::C2cConnectorDestination';

export interface CloudConnectorProperties {
  readonly Name: string;
  readonly Description?: string;
  /** The connector function's (unqualified) ARN: `EndpointConfig.lambda.arn`. */
  readonly LambdaArn: string;
}

/** OAuth 2.0 account linking; the client id and secret live in Secrets Manager. */
export interface OAuthDestinationProperties {
  readonly authUrl: string;
  readonly tokenUrl: string;
  readonly scope?: string;
  readonly tokenEndpointAuthenticationScheme: 'HTTP_BASIC' | 'REQUEST_BODY_CREDENTIALS';
  readonly oAuthCompleteRedirectUrl?: string;
  /** `"true"`/`"false"` once CloudFormation has passed it through. */
  readonly proactiveRefreshTokenRenewal?: {
    readonly enabled?: boolean | string;
    readonly DaysBeforeRenewal?: number | string;
  };
  /** ARN of the secret holding `{"clientId": "…", "clientSecret": "…"}`. */
  readonly clientSecretArn: string;
}

/** One General Authorization material: a secret the service passes to the connector by ARN. */
export interface AuthMaterialProperties {
  readonly AuthMaterialName: string;
  readonly SecretArn: string;
}

export interface ConnectorDestinationProperties {
  readonly CloudConnectorId: string;
  readonly Name?: string;
  readonly Description?: string;
  /** Exactly one of `OAuth` and `GeneralAuthorization`. */
  readonly OAuth?: OAuthDestinationProperties;
  readonly GeneralAuthorization?: readonly AuthMaterialProperties[];
}

/** The CloudFormation custom-resource request (the fields this handler reads). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** What the handler PUTs to the response URL (the `cfn-response` shape). */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, string>;
}

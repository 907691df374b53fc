/**
 * Errors of `@c2c-kit/cdk`. Each has a stable `code` (catalogued in docs/errors.md); the message
 * names the prop or the step at fault and never carries a secret.
 */
export class CdkError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CdkError';
    this.code = code;
  }
}

/** A `C2cConnector` prop is invalid (caller misuse, raised at synth time). */
export class ConnectorPropsError extends CdkError {
  constructor(prop: string, message: string) {
    super('C2C_CDK_PROPS', `C2cConnector ${prop}: ${message}`);
    this.name = 'ConnectorPropsError';
  }
}

/** esbuild could not bundle a Lambda entry at synth time. */
export class BundlingError extends CdkError {
  readonly entry: string;

  constructor(entry: string, reason: string, options?: ErrorOptions) {
    super('C2C_CDK_BUNDLING', `bundling ${entry} failed: ${reason}`, options);
    this.name = 'BundlingError';
    this.entry = entry;
  }
}

/**
 * The registration custom resource got properties it cannot act on, or the service refused a
 * call; the message becomes the CloudFormation event's reason.
 */
export class RegistrationError extends CdkError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_CDK_REGISTRATION', message, options);
    this.name = 'RegistrationError';
  }
}

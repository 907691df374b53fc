/** Errors of the Acme connector. `code` is stable; `status` is the vendor's HTTP status when known. */
export class AcmeConnectorError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AcmeConnectorError';
    this.code = code;
  }
}

/** The Acme cloud answered with an error (or could not be reached: `status` 503). */
export class AcmeApiError extends AcmeConnectorError {
  readonly status: number;
  /** The vendor's own error code (`device_offline`, `invalid_token`, …). */
  readonly vendorCode: string;
  constructor(status: number, vendorCode: string, message: string, options?: ErrorOptions) {
    super('acme_api_error', message, options);
    this.name = 'AcmeApiError';
    this.status = status;
    this.vendorCode = vendorCode;
  }
}

/** Missing or malformed environment configuration. */
export class AcmeConfigError extends AcmeConnectorError {
  constructor(variable: string, message: string) {
    super('invalid_config', `${variable}: ${message}`);
    this.name = 'AcmeConfigError';
  }
}

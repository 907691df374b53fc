/**
 * Typed errors of the connector runtime. Every error has a stable `code` (listed in
 * docs/errors.md) so callers and log queries can branch on it instead of parsing messages.
 * Messages never contain tokens, secrets or signatures.
 */

/** Base class of every error thrown by `@c2c-kit/connector`. */
export class ConnectorError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConnectorError';
    this.code = code;
  }
}

/** A value we were asked to send or received failed validation; `issues` name the field paths. */
export class ConnectorValidationError extends ConnectorError {
  readonly issues: readonly string[];
  constructor(what: string, issues: readonly string[], options?: ErrorOptions) {
    super('C2C_CONNECTOR_VALIDATION', `${what} is invalid: ${issues.join('; ')}`, options);
    this.name = 'ConnectorValidationError';
    this.issues = issues;
  }
}

/** Misconfiguration by the connector author (missing option, bad env var). */
export class ConnectorConfigError extends ConnectorError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_CONNECTOR_CONFIG', message, options);
    this.name = 'ConnectorConfigError';
  }
}

/** A request never got an HTTP answer (connection refused/reset, timeout) after all retries. */
export class ConnectorNetworkError extends ConnectorError {
  readonly attempts: number;
  constructor(message: string, attempts: number, options?: ErrorOptions) {
    super('C2C_CONNECTOR_NETWORK', message, options);
    this.name = 'ConnectorNetworkError';
    this.attempts = attempts;
  }
}

/**
 * The server's answer is not HTTP/1.1 we can read (bad status line, header or framing, or over
 * the size limits). Not retried: a server that answers garbage once will again.
 */
export class MalformedResponseError extends ConnectorError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_MALFORMED_RESPONSE', `malformed HTTP response: ${message}`, options);
    this.name = 'MalformedResponseError';
  }
}

/** The retry budget (token bucket) is empty: we fail fast instead of adding load to a sick service. */
export class RetryBudgetExhaustedError extends ConnectorError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_RETRY_BUDGET_EXHAUSTED', message, options);
    this.name = 'RetryBudgetExhaustedError';
  }
}

/** Webhook authenticity check failed; `status` is the HTTP status to answer (400 or 401). */
export class WebhookVerificationError extends ConnectorError {
  readonly status: 400 | 401;
  readonly reason: string;
  constructor(status: 400 | 401, reason: string) {
    super('C2C_WEBHOOK_VERIFICATION', `webhook rejected: ${reason}`);
    this.name = 'WebhookVerificationError';
    this.status = status;
    this.reason = reason;
  }
}

/** A vendor event type has no translation rule. It is logged, counted and answered, never dropped silently. */
export class UnknownVendorEventError extends ConnectorError {
  readonly eventType: string;
  constructor(eventType: string) {
    super(
      'C2C_UNKNOWN_VENDOR_EVENT',
      `no translation rule for vendor event type ${JSON.stringify(eventType)}`,
    );
    this.name = 'UnknownVendorEventError';
    this.eventType = eventType;
  }
}

/** A ConnectorDeviceId looks like it carries personal data (e-mail, phone number). */
export class PiiInDeviceIdError extends ConnectorError {
  constructor(kind: 'e-mail address' | 'phone number', path: string) {
    super(
      'C2C_PII_IN_DEVICE_ID',
      `${path}: expected an opaque device id without personal data, got a value that looks like an ${kind}`,
    );
    this.name = 'PiiInDeviceIdError';
  }
}

/** connectorId could not be determined at run time (zero or several matches, or a mismatch). */
export class ConnectorIdResolutionError extends ConnectorError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_CONNECTOR_ID_RESOLUTION', message, options);
    this.name = 'ConnectorIdResolutionError';
  }
}

/** A developer callback (resolveUser, listDevices, …) threw. Carries the callback name. */
export class VendorCallbackError extends ConnectorError {
  readonly callback: string;
  constructor(callback: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('C2C_VENDOR_CALLBACK', `${callback} failed: ${detail}`, { cause });
    this.name = 'VendorCallbackError';
    this.callback = callback;
  }
}

/** Reading the General Authorization secret failed. */
export class SecretResolutionError extends ConnectorError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_SECRET_RESOLUTION', message, options);
    this.name = 'SecretResolutionError';
  }
}

/** Another invocation holds the lease on this idempotency key; retry later (SQS redelivery does). */
export class IdempotencyInProgressError extends ConnectorError {
  readonly key: string;
  constructor(key: string) {
    super('C2C_IDEMPOTENCY_IN_PROGRESS', `work for ${key} is already in progress elsewhere`);
    this.name = 'IdempotencyInProgressError';
    this.key = key;
  }
}

/**
 * A command did not finish within the connector's command deadline (`commandDeadlineMs`): the
 * vendor call hung, or queued work was still being retried. The customer gets a failure
 * DEVICE_COMMAND_RESPONSE (StatusCode 504) instead of silence.
 */
export class CommandDeadlineError extends ConnectorError {
  readonly deadlineMs: number;
  constructor(deadlineMs: number) {
    super('C2C_COMMAND_DEADLINE', `command did not complete within ${deadlineMs} ms`);
    this.name = 'CommandDeadlineError';
    this.deadlineMs = deadlineMs;
  }
}

/**
 * Thrown by a vendor callback when retrying cannot help (unknown device, refused by the vendor,
 * the user's token refused with 401): a command (`executeCommand`) fails at once with `status`
 * and `message` in its DEVICE_COMMAND_RESPONSE, a discovery (`resolveUser`, `listDevices`) in its
 * DEVICE_DISCOVERY, and the vendor is not called again.
 */
export class CommandRejectedError extends ConnectorError {
  readonly status: number;
  constructor(status: number, message: string, options?: ErrorOptions) {
    super('C2C_COMMAND_REJECTED', message, options);
    this.name = 'CommandRejectedError';
    this.status = status;
  }
}

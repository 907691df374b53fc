/**
 * Typed errors of the simulated vendor cloud. Every error carries a stable `code` (the contract;
 * messages may change) and the HTTP status it is rendered with, so route handlers can simply throw.
 */
export class VendorCloudError extends Error {
  /** Stable machine-readable code, e.g. `invalid_request`. */
  readonly code: string;
  /** HTTP status the error is rendered with. */
  readonly statusCode: number;
  /** Field path of the offending input (`body.params.mode`), when the error is about one field. */
  readonly path: string | undefined;

  constructor(
    code: string,
    statusCode: number,
    message: string,
    options?: ErrorOptions & { path?: string },
  ) {
    super(message, options);
    this.name = 'VendorCloudError';
    this.code = code;
    this.statusCode = statusCode;
    this.path = options?.path;
  }

  toJSON(): { code: string; message: string; path?: string } {
    return this.path === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, path: this.path };
  }
}

/** Malformed input: names the field path, what was expected and what arrived. */
export class InvalidRequestError extends VendorCloudError {
  constructor(path: string, expected: string, received?: string) {
    const where = path === '' ? '(root)' : path;
    const got = received === undefined ? '' : `, got ${received}`;
    super('invalid_request', 400, `${where}: expected ${expected}${got}`, { path });
    this.name = 'InvalidRequestError';
  }
}

/** The device does not exist or belongs to another user (the two are indistinguishable on purpose). */
export class DeviceNotFoundError extends VendorCloudError {
  readonly deviceId: string;
  constructor(deviceId: string) {
    super('device_not_found', 404, `device ${JSON.stringify(deviceId)} not found`);
    this.name = 'DeviceNotFoundError';
    this.deviceId = deviceId;
  }
}

/** The command or simulated event does not exist for this kind of device. */
export class UnsupportedCommandError extends VendorCloudError {
  constructor(path: string, what: string, kind: string, supported: readonly string[]) {
    const list = supported.length === 0 ? 'none' : supported.join(', ');
    super(
      'unsupported_command',
      400,
      `${path}: ${JSON.stringify(what)} is not supported by a ${kind} (supported: ${list})`,
      { path },
    );
    this.name = 'UnsupportedCommandError';
  }
}

/** The device cannot act right now (offline, jammed): a state conflict, not a bad request. */
export class DeviceStateError extends VendorCloudError {
  constructor(code: 'device_offline' | 'device_jammed', message: string) {
    super(code, 409, message);
    this.name = 'DeviceStateError';
  }
}

/** Bad options passed to `buildVendorCloud` / the CLI. Thrown at start-up, never at request time. */
export class VendorConfigError extends VendorCloudError {
  constructor(path: string, message: string) {
    super('invalid_config', 500, `${path}: ${message}`, { path });
    this.name = 'VendorConfigError';
  }
}

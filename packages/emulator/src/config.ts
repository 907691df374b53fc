/** One configured access key pair and the account it belongs to. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
}

/**
 * Fault injection for SendConnectorEvent and connector invokes: each probability is in [0, 1];
 * `latencyMs` is added before the request is handled.
 */
export interface FaultConfig {
  readonly throttle: number;
  readonly error: number;
  readonly latencyMs: number;
}

/** The local default key pair, printed at start so SDKs can be pointed at the emulator. */
export const DEFAULT_CREDENTIALS: EmulatorCredential = Object.freeze({
  accessKeyId: 'AKIAC2CKITLOCAL00001',
  secretAccessKey: 'c2c-kit-local-secret-access-key-00000001',
  accountId: '111122223333',
});

export const DEFAULT_REGION = 'us-east-1';

export const NO_FAULTS: FaultConfig = Object.freeze({ throttle: 0, error: 0, latencyMs: 0 });

/** Shared configuration decorated on the root instance as `app.emulatorConfig`. */
export interface EmulatorConfig {
  readonly region: string;
  /** `http://127.0.0.1:PORT` once listening; before that, `http://127.0.0.1`. */
  baseUrl(): string;
  readonly credentials: readonly EmulatorCredential[];
  readonly verify: boolean;
  readonly faults: FaultConfig;
}

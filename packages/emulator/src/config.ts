import { randomBytes } from 'node:crypto';
import { EmulatorConfigError } from './errors.js';
import type { InvocationRecord } from './services/lambda/invocation.js';

/** One configured access key pair and the account it belongs to. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
}

/**
 * Fault injection for SendConnectorEvent and connector invokes: each probability is in [0, 1];
 * `latencyMs` is added before the request is handled. `hang` applies to SendConnectorEvent only:
 * the request gets no answer until its client gives up (disconnects), at most `HANG_LIMIT_MS`.
 */
export interface FaultConfig {
  throttle: number;
  error: number;
  latencyMs: number;
  /** Probability that a SendConnectorEvent is held unanswered (a request timeout at the client). */
  hang?: number;
}

/**
 * The longest a `hang` fault holds a request whose client never gives up: then it is answered
 * 503 ServiceUnavailableException, so a client without a request timeout cannot pin it forever.
 */
export const HANG_LIMIT_MS = 60_000;

/**
 * Account of the generated key pair when none is chosen. An account id is not a secret (it is in
 * every ARN), and a fixed one keeps ARNs in docs and scripts stable across data directories.
 */
export const DEFAULT_ACCOUNT_ID = '111122223333';

// AWS access key ids are `AKIA` + 16 characters of the base-32 alphabet (A-Z, 2-7).
const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A fresh random key pair in AWS's shape (`AKIA` + 16, 40-character secret). The emulator has no
 * fixed key pair: a constant in published source would let any web page the developer visits
 * sign requests to it.
 */
export function generateCredentials(accountId: string = DEFAULT_ACCOUNT_ID): EmulatorCredential {
  const id = [...randomBytes(16)].map((b) => KEY_ID_ALPHABET[b & 31]).join('');
  return {
    accessKeyId: `AKIA${id}`,
    // 30 random bytes are exactly 40 base64 characters, the length of an AWS secret key.
    secretAccessKey: randomBytes(30).toString('base64'),
    accountId,
  };
}

export const DEFAULT_REGION = 'us-east-1';

export const NO_FAULTS: FaultConfig = Object.freeze({
  throttle: 0,
  error: 0,
  latencyMs: 0,
  hang: 0,
});

/** Shared configuration decorated on the root instance as `app.emulatorConfig`. */
export interface EmulatorConfig {
  readonly region: string;
  /** `http://127.0.0.1:PORT` once listening; before that, `http://127.0.0.1`. */
  baseUrl(): string;
  readonly credentials: readonly EmulatorCredential[];
  readonly verify: boolean;
  readonly faults: FaultConfig;
  /** Caps every temporary credential's lifetime (ms); unset, they last as long as on AWS. */
  readonly maxSessionLifetimeMs?: number;
  /** Watches the hosted Lambda functions: their output lines and each finished invocation. */
  readonly functions?: FunctionObserver;
}

/** `EmulatorOptions.functions`: what a developer's log view of the hosted functions needs. */
export interface FunctionObserver {
  /** Each line a function prints (and Lambda's START/END/REPORT), with its invocation's id. */
  onLog?(functionName: string, line: string, requestId?: string): void;
  /** Each finished invocation (the event, duration and result or error). */
  onInvocation?(record: InvocationRecord): void;
}

/**
 * Parses `--faults` text: `throttle=0.2,error=0.05,hang=0.01,latency=50ms` (latency in `ms` or
 * `s`; each key at most once). Throws an `EmulatorConfigError` naming the bad item.
 */
export function parseFaults(text: string): FaultConfig {
  const out = { ...NO_FAULTS };
  const seen = new Set<string>();
  if (text.trim() === '') return out;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq).trim();
    const value = eq === -1 ? '' : item.slice(eq + 1).trim();
    if (eq === -1 || value === '') {
      throw new EmulatorConfigError(`--faults: expected key=value, got "${item.slice(0, 40)}"`);
    }
    if (seen.has(key)) throw new EmulatorConfigError(`--faults: "${key}" given twice`);
    seen.add(key);
    if (key === 'throttle' || key === 'error' || key === 'hang') {
      const p = Number(value);
      if (!/^(?:0|1|0?\.\d+|1\.0*)$/.test(value) || !(p >= 0 && p <= 1)) {
        throw new EmulatorConfigError(
          `--faults ${key}: expected a probability between 0 and 1, got "${value.slice(0, 20)}"`,
        );
      }
      out[key] = p;
    } else if (key === 'latency') {
      const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
      if (m === null) {
        throw new EmulatorConfigError(
          `--faults latency: expected a duration like 50ms or 1s, got "${value.slice(0, 20)}"`,
        );
      }
      out.latencyMs = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
    } else {
      throw new EmulatorConfigError(
        `--faults: unknown key "${key.slice(0, 20)}" (expected throttle, error, hang or latency)`,
      );
    }
  }
  return out;
}

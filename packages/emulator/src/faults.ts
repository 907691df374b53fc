import {
  type ServiceException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@c2c-kit/protocol';
import { type FaultConfig, HANG_LIMIT_MS } from './config.js';

/**
 * What is wrong with `faults`, one line per field (empty: nothing): probabilities in [0, 1], a
 * latency of at least 0 ms. `buildEmulator`'s options and a stack's `setFaults` both check here.
 */
export function faultIssues(faults: Partial<Record<keyof FaultConfig, unknown>>): string[] {
  const issues: string[] = [];
  for (const field of ['throttle', 'error', 'hang'] as const) {
    const v = faults[field];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) {
      issues.push(`${field}: expected a probability in [0, 1], got ${String(v).slice(0, 20)}`);
    }
  }
  const latency = faults.latencyMs;
  if (
    latency !== undefined &&
    !(typeof latency === 'number' && Number.isFinite(latency) && latency >= 0)
  ) {
    issues.push(`latencyMs: expected a non-negative number, got ${String(latency).slice(0, 20)}`);
  }
  return issues;
}

/**
 * Whether `faults` injects anything. Read per request (a stack's `setFaults` changes them), so
 * that a request meets `injectedFault`'s promise only when there is a fault to draw.
 */
export function hasFaults(faults: Readonly<FaultConfig>): boolean {
  return faults.latencyMs > 0 || faults.throttle > 0 || faults.error > 0 || (faults.hang ?? 0) > 0;
}

/**
 * The fault `faults` gives one SendConnectorEvent, drawn afresh for each request: after
 * `latencyMs`, a 429 ThrottlingException, a 503 ServiceUnavailableException, or (`hang`) no
 * answer until `clientGone` resolves — the client gave up — or `HANG_LIMIT_MS` passes (then a
 * 503). `'gone'`: the client left while held, nothing is left to answer; undefined: no fault.
 * The emulator's handler and `c2c test`'s fault endpoint both take their faults from here.
 */
export async function injectedFault(
  faults: Readonly<FaultConfig>,
  clientGone: () => Promise<void>,
  random: () => number = Math.random,
): Promise<ServiceException | 'gone' | undefined> {
  if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
  if (faults.throttle > 0 && random() < faults.throttle) {
    return new ThrottlingException('Rate exceeded (injected fault)');
  }
  if (faults.error > 0 && random() < faults.error) {
    return new ServiceUnavailableException('Service unavailable (injected fault)');
  }
  const hang = faults.hang ?? 0;
  if (hang === 0 || random() >= hang) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), HANG_LIMIT_MS);
  });
  try {
    const left = await Promise.race([clientGone().then(() => true as const), limit]);
    if (left) return 'gone';
  } finally {
    clearTimeout(timer);
  }
  return new ServiceUnavailableException(
    `No answer within ${HANG_LIMIT_MS / 1000} s (injected hang fault)`,
  );
}

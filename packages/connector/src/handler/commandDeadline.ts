import {
  CommandDeadlineError,
  CommandRejectedError,
  ConnectorConfigError,
  ConnectorValidationError,
} from '../errors.js';
import { type Clock, systemClock } from '../util/clock.js';

/**
 * How long a customer waits for the answer to a command before the connector answers it with a
 * failure itself. The service publishes no wait of its own; 30 s is long enough for a slow vendor
 * and short enough that a customer app is not left guessing.
 */
export const DEFAULT_COMMAND_DEADLINE_MS = 30_000;

/** The option, else `C2C_COMMAND_DEADLINE_MS`, else the default; a bad value is a config error. */
export function commandDeadlineMs(option: number | undefined, env = process.env): number {
  const raw = option ?? env.C2C_COMMAND_DEADLINE_MS;
  if (raw === undefined || raw === '') return DEFAULT_COMMAND_DEADLINE_MS;
  const ms = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(ms) || ms < 1) {
    throw new ConnectorConfigError(
      `commandDeadlineMs: expected a positive integer of milliseconds, got ${JSON.stringify(raw)}`,
    );
  }
  return ms;
}

/**
 * Settles like `work` until `deadlineAt` (epoch ms), then rejects with `CommandDeadlineError`.
 * The work is abandoned, not cancelled: a late answer is ignored, because the failure has been
 * reported by then and the customer must not get two answers.
 */
export function beforeDeadline<T>(
  work: Promise<T>,
  deadlineAt: number,
  deadlineMs: number,
  clock: Clock = systemClock,
): Promise<T> {
  // No deadline (work queued before the option existed): setTimeout would fire at once on Infinity.
  if (!Number.isFinite(deadlineAt)) return work;
  let timer: unknown;
  const late = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(
      () => reject(new CommandDeadlineError(deadlineMs)),
      Math.max(0, deadlineAt - clock.now()),
    );
  });
  return Promise.race([work, late]).finally(() => clock.clearTimeout(timer));
}

/** Status and customer-facing reason for a command that failed as a whole. */
export function failureOf(error: unknown): { status: number; reason: string } {
  if (error instanceof CommandDeadlineError) {
    return { status: 504, reason: `command deadline of ${error.deadlineMs} ms passed` };
  }
  if (error instanceof CommandRejectedError) {
    return { status: error.status, reason: error.message };
  }
  if (error instanceof ConnectorValidationError) {
    // Our own answer was refused before sending: say so rather than leave the command open.
    return { status: 500, reason: `connector built an invalid response: ${error.issues[0] ?? ''}` };
  }
  return { status: 500, reason: `vendor call failed ${error instanceof Error ? error.name : ''}` };
}

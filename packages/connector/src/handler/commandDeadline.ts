import {
  CommandDeadlineError,
  CommandRejectedError,
  ConnectorConfigError,
  ConnectorValidationError,
} from '../errors.js';
import type { MatterEndpointWire, SendConnectorEventRequest } from '../protocol.js';
import type { WorkItem } from '../queue/workQueue.js';
import type { CommandResult } from './types.js';

/**
 * How long a customer waits for the answer to a command before the connector answers it with a
 * failure itself. The service publishes no wait of its own; 30 s is long enough for a slow vendor
 * and short enough that a customer app is not left guessing.
 */
export const DEFAULT_COMMAND_DEADLINE_MS = 30_000;

type CommandItem = Extract<WorkItem, { kind: 'command' }>;

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

const MESSAGE_UNSAFE = /[^\sa-zA-Z0-9_.,@-]/g;
/** SendConnectorEvent.Message allows only `[\sa-zA-Z0-9_.,@-]`, ≤ 256 chars. */
export function wireMessage(text: string): string {
  return text.replace(MESSAGE_UNSAFE, ' ').replace(/\s+/g, ' ').trim().slice(0, 256) || 'error';
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
  now: () => number = Date.now,
): Promise<T> {
  // No deadline (work queued before the option existed): setTimeout would fire at once on Infinity.
  if (!Number.isFinite(deadlineAt)) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CommandDeadlineError(deadlineMs)),
      Math.max(0, deadlineAt - now()),
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The requested endpoint with every command answered by `status`. */
export function statusEndpoint(
  endpoint: MatterEndpointWire,
  status: number,
  message?: string,
): MatterEndpointWire {
  return {
    ...(endpoint.id !== undefined ? { id: endpoint.id } : {}),
    clusters: (endpoint.clusters ?? []).map((c) => ({
      ...(c.id !== undefined ? { id: c.id } : {}),
      ...(c.commands
        ? {
            commands: Object.fromEntries(
              Object.keys(c.commands).map((k) => [
                k,
                {
                  responseCode: status,
                  ...(message ? { errors: { code: String(status), message } } : {}),
                },
              ]),
            ),
          }
        : {}),
      ...(c.attributes && status < 300 ? { attributes: c.attributes } : {}),
    })),
  };
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

/** The DEVICE_COMMAND_RESPONSE that fails a whole command: StatusCode, reason in `Message`. */
export function commandFailure(
  item: CommandItem,
  userId: string | undefined,
  status: number,
  reason: string,
): SendConnectorEventRequest {
  const message = wireMessage(reason);
  return {
    ConnectorId: item.connectorId,
    Operation: 'DEVICE_COMMAND_RESPONSE',
    OperationVersion: '1.0',
    StatusCode: status,
    Message: message,
    TraceId: item.traceId,
    ConnectorDeviceId: item.connectorDeviceId,
    ...(userId ? { UserId: userId } : {}),
    ...(item.endpoints[0]
      ? { MatterEndpoint: statusEndpoint(item.endpoints[0], status, message) }
      : {}),
  };
}

/** `Message` for a response whose per-command results include failures: their reasons, joined. */
export function resultsMessage(results: readonly CommandResult[]): string | undefined {
  const failed = results.filter((r) => (r.status ?? 200) >= 300);
  if (failed.length === 0) return undefined;
  return wireMessage(
    failed
      .map((r) => `${r.clusterId} ${r.commandId ?? 'write'} ${r.status} ${r.message ?? ''}`)
      .join(', '),
  );
}

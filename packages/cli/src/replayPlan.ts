import type { OutboxEntry } from '@c2c-kit/connector';

/** What `c2c replay --dry-run` found, per device in the order the outbox holds them. */
export interface OutboxDevicePlan {
  readonly deviceKey: string;
  readonly count: number;
  /** Operation → number of events, in first-seen order. */
  readonly operations: Readonly<Record<string, number>>;
  readonly oldestAt: number | undefined;
  readonly maxAttempts: number;
  /** The error name of the newest failure (never the message: it may quote a request). */
  readonly lastErrorName: string | undefined;
}

/** Groups outbox entries per device (first-seen order); what `--dry-run` prints. */
export function planReplay(entries: readonly OutboxEntry[]): OutboxDevicePlan[] {
  const byDevice = new Map<
    string,
    {
      count: number;
      operations: Record<string, number>;
      oldestAt: number | undefined;
      maxAttempts: number;
      lastErrorName: string | undefined;
    }
  >();
  for (const entry of entries) {
    const key = String(entry.deviceKey);
    let plan = byDevice.get(key);
    if (plan === undefined) {
      plan = {
        count: 0,
        operations: {},
        oldestAt: undefined,
        maxAttempts: 0,
        lastErrorName: undefined,
      };
      byDevice.set(key, plan);
    }
    plan.count++;
    const operation = operationOf(entry.request);
    plan.operations[operation] = (plan.operations[operation] ?? 0) + 1;
    if (Number.isFinite(entry.createdAt)) {
      plan.oldestAt =
        plan.oldestAt === undefined ? entry.createdAt : Math.min(plan.oldestAt, entry.createdAt);
    }
    plan.maxAttempts = Math.max(plan.maxAttempts, Number(entry.attempts) || 0);
    plan.lastErrorName = errorName(entry.lastError) ?? plan.lastErrorName;
  }
  return [...byDevice].map(([deviceKey, p]) => ({ deviceKey, ...p }));
}

function operationOf(request: unknown): string {
  const op = (request as { Operation?: unknown } | null | undefined)?.Operation;
  return typeof op === 'string' ? op : '(not a SendConnectorEvent request)';
}

/** `ThrottlingException: Rate exceeded` → `ThrottlingException`; messages stay out of the output. */
function errorName(lastError: unknown): string | undefined {
  if (typeof lastError !== 'string' || lastError === '') return undefined;
  const name = lastError.split(':')[0]?.trim() ?? '';
  return /^[A-Za-z][\w.]{0,80}$/.test(name) ? name : 'error';
}

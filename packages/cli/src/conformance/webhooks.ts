import { randomBytes } from 'node:crypto';
import { signStandardWebhook } from '@c2c-kit/connector';
import type { CapturedWebhook, RunContext } from './context.js';
import type { ConnectorEvent, Session } from './session.js';
import { quiet } from './settle.js';
import { type CheckOutcome, fail, notRun, pass } from './types.js';

// The connector's Function URL is public: only what the vendor signed, freshly, once, may become
// an event. A real delivery the vendor made is copied with a forged signature, sent again as it
// was, and re-signed with a stale timestamp.

/** Headers a copy keeps from the original delivery (the signature headers are replaced). */
const KEPT = ['content-type', 'user-agent'];

function copy(original: CapturedWebhook, signed: Record<string, string>): CapturedWebhook {
  const headers: Record<string, string> = {};
  for (const name of KEPT) {
    const value = original.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return { ...original, headers: { ...headers, ...signed } };
}

const newId = () => `msg_c2ctest${randomBytes(8).toString('hex')}`;

/** A copy with a new id, signed with `secret` at `timestamp` (seconds; default now). */
export function resigned(
  original: CapturedWebhook,
  secret: string,
  timestamp?: number,
): CapturedWebhook {
  return copy(
    original,
    signStandardWebhook({
      secret,
      id: newId(),
      timestamp: timestamp ?? Math.floor(Date.now() / 1000),
      body: original.body,
    }),
  );
}

/** Headers a client sets itself: copied from a captured request they would be wrong. */
const TRANSPORT = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
]);

/** POSTs a webhook to the connector's Function URL; returns the HTTP status. */
export async function deliver(session: Session, hook: CapturedWebhook): Promise<number> {
  const headers = Object.fromEntries(
    Object.entries(hook.headers).filter(([name]) => !TRANSPORT.has(name.toLowerCase())),
  );
  const response = await fetch(session.stack.functionUrl, {
    method: 'POST',
    headers,
    body: hook.body,
  });
  await response.text();
  return response.status;
}

/** Judges a copy by its answer and by what reached the service after it was sent. */
function judge(
  hook: CapturedWebhook,
  what: string,
  status: number,
  relayed: readonly ConnectorEvent[],
  mustRefuse: boolean,
): CheckOutcome {
  const sent = { headers: hook.headers, body: hook.body };
  if (relayed.length > 0) {
    return fail(`${what} became a ${relayed[0]?.operation}`, {
      sent,
      answer: relayed[0]?.body,
      expected: 'nothing relayed to the service',
    });
  }
  if (status >= 500) {
    return fail(`${what} was answered ${status}: the vendor retries a 5xx`, {
      sent,
      answer: status,
      expected: 'a 4xx (or 2xx for an already handled delivery)',
    });
  }
  if (mustRefuse && status < 400) {
    return fail(`${what} was answered ${status}, as if accepted`, {
      sent,
      answer: status,
      expected: 'a 4xx refusal (401)',
    });
  }
  return pass(`answered ${status}, nothing relayed`);
}

/** Sends copies, waits the quiet period once, and returns each answer and what was relayed. */
async function sendAndWatch(ctx: RunContext, hooks: readonly CapturedWebhook[]) {
  const { session } = ctx;
  const mark = Date.now();
  const statuses: number[] = [];
  for (const hook of hooks) statuses.push(await deliver(session, hook));
  await quiet(session);
  const deviceId = hooks[0]?.deviceId;
  const relayed = (await session.events()).filter(
    (e) => e.receivedAt >= mark && e.body.ConnectorDeviceId === deviceId,
  );
  return { statuses, relayed };
}

export async function webhookChecks(ctx: RunContext): Promise<void> {
  const hook = ctx.state.webhook;
  const none = async () => notRun('no vendor webhook reached the connector to copy');
  await ctx.check('security.webhook-replay', async () => {
    if (hook === undefined) return none();
    const { statuses, relayed } = await sendAndWatch(ctx, [hook]);
    return judge(hook, 'the same delivery sent again', statuses[0] ?? 0, relayed, false);
  });
  if (hook === undefined) {
    await ctx.check('security.webhook-signature', none);
    await ctx.check('security.webhook-expired', none);
    return;
  }
  // The forged and the stale copy share one quiet period: a copy refused with a 4xx relays
  // nothing, so what arrives is put down to the copies that were let in.
  const secret = ctx.session.vendor.webhookSecret;
  const forged = resigned(hook, `whsec_${randomBytes(24).toString('base64')}`);
  const stale = secret && resigned(hook, secret, Math.floor(Date.now() / 1000) - 3600);
  let watched: Promise<{ statuses: number[]; relayed: ConnectorEvent[] }> | undefined;
  const watch = () => {
    watched ??= sendAndWatch(ctx, stale ? [forged, stale] : [forged]);
    return watched;
  };
  const blamed = (statuses: number[], index: number, relayed: ConnectorEvent[]) => {
    const letIn = statuses.map((s, i) => (s < 400 ? i : -1)).filter((i) => i >= 0);
    return letIn.length === 0 || letIn.includes(index) ? relayed : [];
  };
  await ctx.check('security.webhook-signature', async () => {
    const { statuses, relayed } = await watch();
    const status = statuses[0] ?? 0;
    return judge(
      forged,
      'a webhook signed with another key',
      status,
      blamed(statuses, 0, relayed),
      true,
    );
  });
  await ctx.check('security.webhook-expired', async () => {
    if (!stale) {
      return notRun(
        ctx.session.noWebhookSecret ?? 'the vendor config gives no webhookSecret to sign with',
      );
    }
    const { statuses, relayed } = await watch();
    const status = statuses[1] ?? 0;
    return judge(stale, 'a webhook signed an hour ago', status, blamed(statuses, 1, relayed), true);
  });
}

/** Scans every line the connector printed for a token or secret the run handed out. */
export async function secretsInLogs(ctx: RunContext): Promise<void> {
  await ctx.check('security.secrets-in-logs', async () => {
    const { session, state } = ctx;
    const secrets = [
      ...session.vendor.secrets,
      ...(state.token ? [state.token] : []),
      ...state.refusedTokens,
      ...(session.vendor.webhookSecret
        ? [session.vendor.webhookSecret, session.vendor.webhookSecret.replace(/^whsec_/, '')]
        : []),
      session.stack.customer.credentials.secretAccessKey,
    ].filter((s) => s.length >= 8);
    const lines = session.logLines();
    for (const line of lines) {
      const secret = secrets.find((s) => line.includes(s));
      if (secret !== undefined) {
        return fail("a secret appears in the connector's log", {
          answer: line.split(secret).join('«secret»').slice(0, 400),
          expected: 'tokens and secrets redacted in every log line',
        });
      }
    }
    return pass(`${lines.length} line(s), ${secrets.length} secret(s) looked for`);
  });
}

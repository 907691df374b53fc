import { randomBytes } from 'node:crypto';
import { signStandardWebhook } from '@c2c-kit/connector';
import type { CapturedWebhook, RunContext } from './context.js';
import { type Session, sleep } from './session.js';
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

/** Sends `hook`; fails when it is accepted (2xx where a refusal is due) or relays an event. */
async function mustNotRelay(
  ctx: RunContext,
  hook: CapturedWebhook,
  what: string,
  mustRefuse: boolean,
): Promise<CheckOutcome> {
  const { session } = ctx;
  const mark = Date.now();
  const status = await deliver(session, hook);
  await sleep(session.settings.quietMs);
  const relayed = (await session.events()).filter(
    (e) => e.receivedAt >= mark && e.body.ConnectorDeviceId === hook.deviceId,
  );
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

export async function webhookChecks(ctx: RunContext): Promise<void> {
  const hook = ctx.state.webhook;
  const none = async () => notRun('no vendor webhook reached the connector to copy');
  await ctx.check('security.webhook-signature', async () =>
    hook
      ? mustNotRelay(
          ctx,
          resigned(hook, `whsec_${randomBytes(24).toString('base64')}`),
          'a webhook signed with another key',
          true,
        )
      : none(),
  );
  await ctx.check('security.webhook-replay', async () =>
    hook ? mustNotRelay(ctx, hook, 'the same delivery sent again', false) : none(),
  );
  await ctx.check('security.webhook-expired', async () => {
    if (hook === undefined) return none();
    const secret = ctx.session.vendor.webhookSecret;
    if (secret === undefined)
      return notRun('the vendor config gives no webhookSecret to sign with');
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    return mustNotRelay(ctx, resigned(hook, secret, hourAgo), 'a webhook signed an hour ago', true);
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

import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  buildInvocation,
  type ConnectorOperationName,
  formatIssue,
  redactInvocation,
  validateConnectorInvokeReply,
} from '@c2c-kit/protocol';
import type { RunContext } from './context.js';
import type { DirectAnswer, SeenInvocation } from './session.js';
import { type CheckOutcome, type Evidence, fail, notRun, pass } from './types.js';

// The invocation contract (c2c-contract §1–2): the suite invokes the function directly, as the
// service does, and also judges every invocation the service made during the run.

const oauth = (token: string) => ({ type: 'OAuth2.0' as const, token });

export function activateUser(connectorId: string, token: string) {
  return buildInvocation({ operationName: 'AWS.ActivateUser', auth: oauth(token), connectorId });
}

type Reply = {
  header?: { responseCode?: number };
  payload?: { responseMessage?: string; userId?: string };
};

/** Problems with one answer to a valid request: thrown, late, malformed or not 2xx. */
function problems(
  op: ConnectorOperationName | undefined,
  ms: number,
  ackMs: number,
  functionError: string | undefined,
  reply: unknown,
  wantSuccess: boolean,
): string[] {
  if (functionError !== undefined) {
    const r = reply as { errorType?: string; errorMessage?: string };
    return [
      `the function failed (${r?.errorType ?? functionError}: ${r?.errorMessage ?? ''}); the service retries it as a failed invocation`,
    ];
  }
  const out: string[] = [];
  if (ms > ackMs) out.push(`answered after ${Math.round(ms)} ms; the bound is ${ackMs} ms`);
  const valid = validateConnectorInvokeReply(reply, op);
  if (!valid.ok) {
    out.push(...valid.issues.map((i) => `reply ${formatIssue(i)}`));
    return out;
  }
  const code = (reply as Reply).header?.responseCode ?? 0;
  const message = (reply as Reply).payload?.responseMessage;
  if (wantSuccess && (code < 200 || code > 299)) {
    out.push(`responseCode ${code} (${message ?? 'no message'}), expected 2xx`);
  }
  if (!wantSuccess && code >= 200 && code <= 299)
    out.push(`responseCode ${code}, expected non-2xx`);
  if (!wantSuccess && (typeof message !== 'string' || message.trim() === '')) {
    out.push('no payload.responseMessage saying why');
  }
  return out;
}

function evidence(sent: unknown, answer: unknown, expected: string, details: string[]): Evidence {
  return { sent: redactInvocation(sent as { header?: unknown }), answer, expected, details };
}

/** Judges every invocation of `op` made with a token the connector must accept. */
export function judgeOperation(ctx: RunContext, op: ConnectorOperationName): CheckOutcome {
  const { ackMs } = ctx.session.settings;
  const cold = ctx.state.coldStart;
  const seen = ctx.session
    .invocations()
    .filter(
      (i) =>
        i.kind === op &&
        !refused(ctx, i) &&
        !(cold !== undefined && i.at >= cold.from && i.at <= cold.to),
    );
  if (seen.length === 0) return notRun(`no ${op} invocation was made`);
  for (const inv of seen) {
    const reply = inv.outcome.ok ? parse(inv.outcome.payload) : inv.outcome.error;
    const found = problems(
      op,
      inv.durationMs,
      ackMs,
      inv.outcome.ok ? undefined : (inv.outcome.error.errorType ?? 'Unhandled'),
      reply,
      true,
    );
    if (found.length > 0) {
      return fail(
        found[0] as string,
        evidence(inv.event, reply, `a valid 2xx reply within ${ackMs} ms`, found),
      );
    }
  }
  const slowest = Math.max(...seen.map((i) => i.durationMs));
  return pass(`${seen.length} invocation(s), slowest ${Math.round(slowest)} ms`);
}

function refused(ctx: RunContext, inv: SeenInvocation): boolean {
  const auth = (inv.event.header as { auth?: { type?: string; token?: string } } | undefined)?.auth;
  return (
    auth?.type !== 'OAuth2.0' ||
    (auth.token !== undefined && ctx.state.refusedTokens.has(auth.token))
  );
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An envelope the connector must refuse: judged on its answer alone. */
async function refusal(ctx: RunContext, envelope: unknown, what: string): Promise<CheckOutcome> {
  const answer = await ctx.session.invoke(envelope);
  const found = problems(
    undefined,
    answer.ms,
    ctx.session.settings.ackMs,
    answer.functionError,
    answer.reply,
    false,
  );
  return found.length === 0
    ? pass(
        `${(answer.reply as Reply).header?.responseCode}: ${(answer.reply as Reply).payload?.responseMessage}`,
      )
    : fail(
        found[0] as string,
        evidence(envelope, answer.reply, `${what}: a valid non-2xx reply with a message`, found),
      );
}

/** The direct probes: cold start, ActivateUser, unknown operation, bad and expired tokens, GA. */
export async function contractProbes(ctx: RunContext): Promise<void> {
  const { session, state } = ctx;
  const connectorId = session.stack.connectorId;
  const { ackMs } = session.settings;
  if (
    !ctx.wants(
      'contract.cold-start',
      'contract.activate-user',
      'contract.unknown-operation',
      'contract.general-authorization',
      'contract.bad-token',
      'contract.expired-token',
    )
  ) {
    return;
  }
  state.token = await session.vendor.userToken();
  const token = state.token;
  let first: DirectAnswer | undefined;
  const activate = activateUser(connectorId, token);
  await ctx.check('contract.cold-start', async () => {
    await session.redeploy();
    const from = Date.now();
    first = await session.invoke(activate);
    state.coldStart = { from, to: Date.now() };
    if (first.functionError) {
      return fail(
        'the first invocation after deployment failed',
        evidence(activate, first.reply, 'a reply', [first.text.slice(0, 300)]),
      );
    }
    return first.ms <= ackMs
      ? pass(`${Math.round(first.ms)} ms`)
      : fail(
          `answered after ${Math.round(first.ms)} ms on a cold start; the bound is ${ackMs} ms`,
          evidence(activate, first.reply, `an answer within ${ackMs} ms, cold start included`, [
            'the service gives up on the attempt and retries it',
          ]),
        );
  });
  first ??= await session.invoke(activate);
  const userId = (first.reply as Reply)?.payload?.userId;
  if (typeof userId === 'string') state.userId = userId;

  await ctx.check('contract.unknown-operation', () =>
    refusal(
      ctx,
      {
        header: { auth: oauth(token) },
        payload: { operationName: 'AWS.TurnIntoPumpkin', operationVersion: '1.0', connectorId },
      },
      'an operation the contract does not have',
    ),
  );
  await ctx.check('contract.bad-token', async () => {
    const bogus = `c2c-test-${randomBytes(16).toString('hex')}`;
    state.refusedTokens.add(bogus);
    return refusal(ctx, activateUser(connectorId, bogus), 'a token the vendor never issued');
  });
  await ctx.check('contract.expired-token', async () => {
    if (session.vendor.revokedToken === undefined) {
      return notRun('the vendor config gives no way to make a revoked token (oauth.revokeUrl)');
    }
    const revoked = await session.vendor.revokedToken();
    state.refusedTokens.add(revoked);
    return refusal(ctx, activateUser(connectorId, revoked), 'a revoked token');
  });
  await ctx.check('contract.general-authorization', async () => {
    const secrets = new SecretsManagerClient({
      endpoint: session.stack.emulatorUrl,
      region: session.stack.region,
      credentials: session.stack.customer.credentials,
    });
    let envelope: unknown;
    let answer: DirectAnswer;
    try {
      const created = await secrets.send(
        new CreateSecretCommand({
          Name: `c2c-test/general-authorization-${randomBytes(4).toString('hex')}`,
          SecretString: token,
        }),
      );
      envelope = buildInvocation({
        operationName: 'AWS.ActivateUser',
        connectorId,
        auth: {
          type: 'GeneralAuthorization',
          secretsManager: { arn: String(created.ARN), versionId: String(created.VersionId) },
        },
      });
      try {
        answer = await session.invoke(envelope);
      } finally {
        // An emulator the suite did not start keeps its secrets: this one is the suite's own.
        await secrets.send(
          new DeleteSecretCommand({ SecretId: created.ARN, ForceDeleteWithoutRecovery: true }),
        );
      }
    } finally {
      secrets.destroy();
    }
    const reply = answer.reply as Reply;
    const code = reply?.header?.responseCode ?? 0;
    const success = code >= 200 && code <= 299;
    const found = problems(
      'AWS.ActivateUser',
      answer.ms,
      ackMs,
      answer.functionError,
      answer.reply,
      success,
    );
    if (success && state.userId !== undefined && reply.payload?.userId !== state.userId) {
      found.push(`userId "${reply.payload?.userId}" is not the OAuth user's "${state.userId}"`);
    }
    return found.length === 0
      ? pass(success ? `2xx, the same user` : `refused: ${reply.payload?.responseMessage}`)
      : fail(
          found[0] as string,
          evidence(
            envelope,
            answer.reply,
            'the same user as with OAuth, or a non-2xx with a message',
            found,
          ),
        );
  });
}

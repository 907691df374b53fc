import { CHECKS, checkDef, DOC_PATH, withPrerequisites } from './catalog.js';
import { commands } from './commands.js';
import type { RunContext, RunState } from './context.js';
import { contractProbes } from './contract.js';
import { discovery, link } from './discovery.js';
import { deactivation, latency, profileData, validAndRouted } from './events.js';
import { replay, sendFaults } from './retries.js';
import type { Session } from './session.js';
import {
  type CheckOutcome,
  type CheckResult,
  type ConformanceReport,
  notRun,
  summarise,
} from './types.js';
import { secretsInLogs, webhookChecks } from './webhooks.js';

/** Checks that need no linked account: the direct probes and what reads the whole run. */
const STANDALONE = new Set([
  'contract.cold-start',
  'contract.unknown-operation',
  'contract.bad-token',
  'contract.expired-token',
  'contract.general-authorization',
  'events.no-profile-data',
  'security.secrets-in-logs',
]);

export interface RunOptions {
  /** The checks to report, in run order (`selectChecks`). */
  readonly ids: readonly string[];
  /** Called as each check finishes (the terminal prints a line per check as it goes). */
  readonly onResult?: (result: CheckResult) => void;
}

/**
 * Runs the selected checks against an open session, phase by phase: direct invocations, linking
 * and discovery, commands, retries, events, webhooks, deactivation, logs. Checks a selected one
 * needs run too (unreported); a check whose prerequisite did not pass is "not run".
 */
export async function runChecks(session: Session, options: RunOptions): Promise<ConformanceReport> {
  const started = Date.now();
  const selected = new Set(options.ids);
  const wanted = withPrerequisites(options.ids);
  const outcomes = new Map<string, CheckOutcome>();
  const results: CheckResult[] = [];
  const state: RunState = {
    refusedTokens: new Set(),
    probeTraces: new Set(),
    things: [],
    commands: [],
  };
  const ctx: RunContext = {
    session,
    state,
    wants: (...ids) => ids.some((id) => wanted.has(id)),
    passed: (id) => outcomes.get(id)?.status === 'pass',
    async check(id, run) {
      if (!wanted.has(id) || outcomes.has(id)) return outcomes.get(id);
      const def = checkDef(id);
      const t0 = performance.now();
      const missing = def.needs.find((need) => outcomes.get(need)?.status !== 'pass');
      let outcome: CheckOutcome;
      if (missing !== undefined) {
        const why = outcomes.get(missing);
        outcome = notRun(
          `needs ${missing}, which ${why === undefined ? 'did not run' : why.status === 'fail' ? 'failed' : 'did not run'}`,
        );
      } else {
        try {
          outcome = await run();
        } catch (error) {
          outcome = notRun(`the suite could not run it: ${(error as Error).message}`);
        }
      }
      outcomes.set(id, outcome);
      if (selected.has(id)) {
        const result: CheckResult = {
          id,
          title: def.title,
          durationMs: Math.round(performance.now() - t0),
          doc: `${DOC_PATH}#${id.replaceAll('.', '')}`,
          ...outcome,
        };
        results.push(result);
        options.onResult?.(result);
      }
      return outcome;
    },
  };
  const counter = { n: 0 };
  let stopped: string | undefined;
  const phase = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      // A step of the suite itself failed (a service call refused): what needs it is not run.
      stopped ??= `the ${name} step stopped: ${(error as Error).message}`;
    }
  };
  await phase('probes', () => contractProbes(ctx));
  if (ctx.wants(...CHECKS.map((c) => c.id).filter((id) => !STANDALONE.has(id)))) {
    await phase('link', () => link(ctx));
    await phase('discovery', () => discovery(ctx));
    let list: Awaited<ReturnType<typeof commands>> = [];
    await phase('commands', async () => {
      list = await commands(ctx);
    });
    await phase('replay', () => replay(ctx, list));
    await phase('events', () => latency(ctx, counter));
    await phase('events', () => validAndRouted(ctx));
    await phase('faults', () => sendFaults(ctx, counter));
    await phase('webhooks', () => webhookChecks(ctx));
    await phase('deactivation', () => deactivation(ctx, counter));
  }
  await phase('events', () => profileData(ctx));
  await phase('logs', () => secretsInLogs(ctx));
  // Whatever is still unreported: a phase stopped before reaching it.
  await missingAfter(ctx, stopped ?? 'an earlier step of the suite stopped');
  const order = new Map(CHECKS.map((c, i) => [c.id, i]));
  results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return {
    connector: session.stack.connector.source,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    stackStartMs: session.stackStartMs,
    settings: session.settings,
    ...(session.notes?.length ? { notes: [...session.notes] } : {}),
    results,
    summary: summarise(results),
  };
}

/** Reports every wanted check that has no result yet as "not run", with `reason`. */
async function missingAfter(ctx: RunContext, reason: string): Promise<void> {
  for (const def of CHECKS) {
    if (ctx.wants(def.id)) await ctx.check(def.id, async () => notRun(reason));
  }
}

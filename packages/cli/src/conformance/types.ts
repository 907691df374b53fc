import { INVOCATION_SETTINGS } from '@c2c-kit/protocol';

/**
 * Every time bound of the suite. Defaults are the service's values where it has one (the ACK
 * budget, the retries, the wait for a command's answer); the others are ours, named as such in
 * docs/conformance.md.
 */
export interface ConformanceSettings {
  /** An invocation must be answered within this (the service: 2 s, cold start included). */
  readonly ackMs: number;
  /** How many more times the service delivers a failed invocation (5). */
  readonly retries: number;
  /** How long the service waits for a command's DEVICE_COMMAND_RESPONSE (60 s). */
  readonly commandResponseMs: number;
  /** How long a discovery may take to come back (ours: the service publishes none). */
  readonly discoveryMs: number;
  /** From a device change at the vendor to its DEVICE_EVENT at the service (ours). */
  readonly eventLatencyMs: number;
  /** After injected faults are lifted, how long parked events may take to arrive (ours). */
  readonly deliveryMs: number;
  /** How long the suite watches for something that must not happen (ours). */
  readonly quietMs: number;
}

export const DEFAULT_SETTINGS: ConformanceSettings = {
  ackMs: INVOCATION_SETTINGS.timeoutMs,
  retries: INVOCATION_SETTINGS.retries,
  commandResponseMs: 60_000,
  discoveryMs: 60_000,
  eventLatencyMs: 5_000,
  deliveryMs: 30_000,
  quietMs: 1_000,
};

export type CheckStatus = 'pass' | 'fail' | 'not run';

/** What a failed check shows: the message sent, the answer, what was expected. */
export interface Evidence {
  /** What the suite sent (tokens redacted). */
  readonly sent?: unknown;
  /** What came back. */
  readonly answer?: unknown;
  readonly expected: string;
  /** Further findings, one line each. */
  readonly details?: readonly string[];
}

export interface CheckOutcome {
  readonly status: CheckStatus;
  /** One line: why it failed or did not run (or a note on a pass). */
  readonly reason?: string;
  readonly evidence?: Evidence;
}

export interface CheckResult extends CheckOutcome {
  readonly id: string;
  readonly title: string;
  readonly durationMs: number;
  /** docs/conformance.md#<id> */
  readonly doc: string;
}

export const pass = (reason?: string): CheckOutcome => ({
  status: 'pass',
  ...(reason ? { reason } : {}),
});
export const fail = (reason: string, evidence?: Evidence): CheckOutcome => ({
  status: 'fail',
  reason,
  ...(evidence ? { evidence } : {}),
});
export const notRun = (reason: string): CheckOutcome => ({ status: 'not run', reason });

/** A whole run: every selected check's result and the counts the summary line gives. */
export interface ConformanceReport {
  readonly connector: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** How long the local stack took to start (part of `durationMs`). */
  readonly stackStartMs: number;
  readonly settings: ConformanceSettings;
  /**
   * What preparing the run found that no one check reports (`--deployed`: a connector destination
   * or webhook secret the suite did without); absent when there is none.
   */
  readonly notes?: readonly string[];
  readonly results: readonly CheckResult[];
  readonly summary: {
    readonly passed: number;
    readonly failed: number;
    readonly notRun: number;
    /** Checks that actually ran (passed + failed). */
    readonly ran: number;
  };
}

/** The summary counts of a list of results. */
export function summarise(results: readonly CheckResult[]): ConformanceReport['summary'] {
  const count = (status: CheckStatus) => results.filter((r) => r.status === status).length;
  return {
    passed: count('pass'),
    failed: count('fail'),
    notRun: count('not run'),
    ran: count('pass') + count('fail'),
  };
}

/** The exit status of `c2c test`: 0 all ran and passed, 1 any failed, 3 none failed but some did not run. */
export function exitStatus(report: ConformanceReport): number {
  if (report.summary.failed > 0) return 1;
  if (report.summary.notRun > 0) return 3;
  return 0;
}

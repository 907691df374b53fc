import type { Session } from './session.js';
import type { CheckOutcome } from './types.js';

/** A managed thing the suite created for a discovered device. */
export interface TestThing {
  readonly thingId: string;
  readonly deviceId: string;
  /** The device's capability report as the connector sent it (endpoints → clusters → commands). */
  readonly report: Record<string, unknown>;
}

/** A vendor webhook delivery as the connector's Function URL received it. */
export interface CapturedWebhook {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly deviceId: string;
}

/** What one phase learns and a later one uses. */
export interface RunState {
  /** The test user's access token (a grant of the suite's own). */
  token?: string;
  /** The vendor user id ActivateUser answered with. */
  userId?: string;
  /** Tokens sent on purpose where the connector must refuse them. */
  readonly refusedTokens: Set<string>;
  /** When the cold-start probe ran: judged by contract.cold-start alone, not again by its operation. */
  coldStart?: { from: number; to: number };
  /** Trace ids of the suite's direct SendCommand invocations (the service knows nothing of them). */
  readonly probeTraces: Set<string>;
  associationId?: string;
  discoveryId?: string;
  things: TestThing[];
  /** When DeleteAccountAssociation was called (events for the user must stop). */
  deactivatedAt?: number;
  /** A real vendor webhook, for the forged, replayed and stale copies. */
  webhook?: CapturedWebhook;
  /** Trace ids of commands the suite sent through the service, with when. */
  readonly commands: Array<{ traceId: string; thingId: string; deviceId: string; at: number }>;
}

export interface RunContext {
  readonly session: Session;
  readonly state: RunState;
  /** Whether any of these checks has to run (selected, or needed by a selected one). */
  wants(...ids: string[]): boolean;
  /**
   * Runs check `id` unless it is not wanted (undefined) or a check it needs did not pass (then
   * "not run"). Times it; an exception of the suite itself is reported as "not run" with its
   * message, never as the connector's failure.
   */
  check(id: string, run: () => Promise<CheckOutcome>): Promise<CheckOutcome | undefined>;
  /** Whether check `id` has passed. */
  passed(id: string): boolean;
}

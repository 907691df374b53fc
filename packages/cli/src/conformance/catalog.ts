/**
 * Every check of `c2c test`, in the order it runs: its stable id, title, family and what it
 * needs. The one list: the runner, the report, `--only`/`--skip` and docs/conformance.md (a test
 * compares the doc's headings with it) all read it.
 */

export type CheckFamily = 'contract' | 'discovery' | 'commands' | 'retries' | 'events' | 'security';

export interface CheckDef {
  readonly id: string;
  readonly family: CheckFamily;
  readonly title: string;
  /** Checks that must pass first: when one did not, this one is reported "not run". */
  readonly needs: readonly string[];
}

/** Where each check is explained, relative to the repository (the anchor is the id). */
export const DOC_PATH = 'docs/conformance.md';

export const CHECKS: readonly CheckDef[] = [
  {
    id: 'contract.cold-start',
    family: 'contract',
    title: 'a freshly deployed function answers its first invocation within the ACK bound',
    needs: [],
  },
  {
    id: 'contract.activate-user',
    family: 'contract',
    title: "AWS.ActivateUser is answered 2xx with the vendor's user id, valid and in time",
    needs: [],
  },
  {
    id: 'contract.unknown-operation',
    family: 'contract',
    title: 'an unknown operation is answered with a 4xx responseCode and a message',
    needs: [],
  },
  {
    id: 'contract.bad-token',
    family: 'contract',
    title: 'an access token the vendor never issued is refused with a non-2xx and a message',
    needs: [],
  },
  {
    id: 'contract.expired-token',
    family: 'contract',
    title: 'an access token the vendor no longer accepts is refused with a non-2xx and a message',
    needs: [],
  },
  {
    id: 'contract.general-authorization',
    family: 'contract',
    title: 'a General Authorization envelope is answered validly (same user, or a clear refusal)',
    needs: [],
  },
  {
    id: 'contract.discover-devices',
    family: 'contract',
    title: 'AWS.DiscoverDevices is ACKed 2xx, valid and in time',
    needs: ['contract.activate-user'],
  },
  {
    id: 'discovery.discovery-id',
    family: 'discovery',
    title: 'DEVICE_DISCOVERY comes back with the same DeviceDiscoveryId',
    needs: ['contract.discover-devices'],
  },
  {
    id: 'discovery.capability-report',
    family: 'discovery',
    title: 'every discovered device has a valid Matter capability report',
    needs: ['contract.discover-devices'],
  },
  {
    id: 'discovery.rediscovery',
    family: 'discovery',
    title: 'a re-discovery reports a device the vendor added, and not one it removed',
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'contract.send-command',
    family: 'contract',
    title: 'AWS.SendCommand is ACKed 2xx, valid and in time',
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'commands.trace-id',
    family: 'commands',
    title: 'every command is answered by a DEVICE_COMMAND_RESPONSE with its traceId',
    needs: ['contract.send-command'],
  },
  {
    id: 'commands.response',
    family: 'commands',
    title: 'every DEVICE_COMMAND_RESPONSE is valid, and planned commands succeed',
    needs: ['commands.trace-id'],
  },
  {
    id: 'commands.state',
    family: 'commands',
    title: 'the state reported after each planned command is the state the command sets',
    needs: ['commands.trace-id'],
  },
  {
    id: 'commands.vendor-state',
    family: 'commands',
    title: "the vendor's own device state agrees with each planned command",
    needs: ['commands.trace-id'],
  },
  {
    id: 'retries.replay',
    family: 'retries',
    title: 'the same SendCommand delivered again makes one vendor call and one answer',
    needs: ['commands.trace-id'],
  },
  {
    id: 'events.valid',
    family: 'events',
    title: 'unsolicited DEVICE_EVENTs are valid SendConnectorEvent requests',
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'events.routing',
    family: 'events',
    title: "each DEVICE_EVENT names the device's user and reaches its managed thing",
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'events.latency',
    family: 'events',
    title: 'a device change reaches the service within the latency bound',
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'retries.send-faults',
    family: 'retries',
    title: 'events SendConnectorEvent refuses (429, 5xx) or leaves unanswered are all delivered',
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'security.webhook-replay',
    family: 'security',
    title: 'a webhook delivered again relays nothing new',
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'security.webhook-signature',
    family: 'security',
    title: 'a webhook with a forged signature is refused and relays nothing',
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'security.webhook-expired',
    family: 'security',
    title: 'a correctly signed webhook with a stale timestamp is refused',
    needs: ['discovery.discovery-id'],
  },
  {
    id: 'contract.deactivate-user',
    family: 'contract',
    title: 'AWS.DeactivateUser is answered 2xx, valid and in time',
    needs: ['contract.activate-user'],
  },
  {
    id: 'events.after-deactivation',
    family: 'events',
    title: 'no event is sent for a user after DeactivateUser',
    needs: ['contract.deactivate-user', 'discovery.discovery-id'],
  },
  {
    id: 'events.no-profile-data',
    family: 'events',
    title: "no event carries the vendor user's name, e-mail, address or phone",
    needs: [],
  },
  {
    id: 'security.secrets-in-logs',
    family: 'security',
    title: "no token or secret appears in the connector's log",
    needs: [],
  },
];

const BY_ID = new Map(CHECKS.map((c) => [c.id, c]));

export function checkDef(id: string): CheckDef {
  const def = BY_ID.get(id);
  if (def === undefined) throw new Error(`unknown conformance check ${id}`);
  return def;
}

/**
 * The checks `--only` / `--skip` select: each pattern matches an id exactly, or every id that
 * starts with it followed by "." (a family: `commands`) or that starts with it (`contract.d`).
 * Returns the ids (in run order) and the patterns that matched nothing.
 */
export function selectChecks(
  only: readonly string[],
  skip: readonly string[],
): { ids: string[]; unknown: string[] } {
  const matches = (pattern: string, id: string) => id === pattern || id.startsWith(pattern);
  const unknown = [...only, ...skip].filter((p) => !CHECKS.some((c) => matches(p, c.id)));
  const ids = CHECKS.map((c) => c.id).filter(
    (id) =>
      (only.length === 0 || only.some((p) => matches(p, id))) && !skip.some((p) => matches(p, id)),
  );
  return { ids, unknown };
}

/** The selected checks and every check they need, transitively: what has to run. */
export function withPrerequisites(ids: readonly string[]): Set<string> {
  const out = new Set<string>();
  const visit = (id: string) => {
    if (out.has(id)) return;
    out.add(id);
    for (const need of checkDef(id).needs) visit(need);
  };
  for (const id of ids) visit(id);
  return out;
}

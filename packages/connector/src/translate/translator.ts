import { UnknownVendorEventError } from '../errors.js';
import type { MatterEndpointWire } from '../protocol.js';

/** A Matter cluster fragment as the `@c2c-kit/matter` builders return it. */
export interface ClusterFragment {
  readonly id: string;
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly commands?: Readonly<Record<string, unknown>>;
  readonly events?: Readonly<Record<string, unknown>>;
}

/** One device-state change to report as a DEVICE_EVENT. */
export interface DeviceEvent {
  readonly connectorDeviceId: string;
  readonly userId?: string;
  readonly traceId?: string;
  readonly endpoint: MatterEndpointWire;
}

/** What one rule produces from a vendor event. */
export interface RuleOutput {
  readonly connectorDeviceId: string;
  readonly userId?: string;
  readonly traceId?: string;
  /** Matter endpoint id; default "1". */
  readonly endpointId?: string;
  /** Cluster fragments (matter builders); fragments of the same cluster are merged. */
  readonly clusters: readonly ClusterFragment[];
}

export type TranslationRule<E> = (event: E) => RuleOutput | readonly RuleOutput[];

export interface TranslatorSpec<E> {
  /** Where the vendor event type lives, e.g. `(e) => e.type`. */
  readonly typeOf: (event: E) => string | undefined;
  /** vendor event type → rule. */
  readonly rules: Readonly<Record<string, TranslationRule<E>>>;
}

/** What a defined rule table returns: device events, ready to send. */
export type Translator<E = unknown> = (event: E) => DeviceEvent[];

/** One device's state change as a `translate` function may give it: a whole endpoint, or cluster fragments. */
export type TranslateOutput = DeviceEvent | RuleOutput;

/**
 * Vendor event → what to report (`webhooks.translate`): any function, a `defineTranslator` rule
 * table among them. Throw `UnknownVendorEventError` for an event it cannot translate.
 */
export type Translate<E = unknown> = (event: E) => TranslateOutput | readonly TranslateOutput[];

/** A `translate` result as device events: fragments merged per cluster, endpoint id default "1". */
export function toDeviceEvents(
  output: TranslateOutput | readonly TranslateOutput[],
): DeviceEvent[] {
  const list: readonly TranslateOutput[] = Array.isArray(output)
    ? output
    : [output as TranslateOutput];
  return list.map((o) =>
    'endpoint' in o
      ? o
      : {
          connectorDeviceId: o.connectorDeviceId,
          ...(o.userId !== undefined ? { userId: o.userId } : {}),
          ...(o.traceId !== undefined ? { traceId: o.traceId } : {}),
          endpoint: { id: o.endpointId ?? '1', clusters: mergeClusters(o.clusters) },
        },
  );
}

/** Merges fragments by cluster id so two attributes of one cluster become one cluster entry. */
export function mergeClusters(
  fragments: readonly ClusterFragment[],
): NonNullable<MatterEndpointWire['clusters']> {
  const byId = new Map<
    string,
    {
      id: string;
      attributes?: Record<string, unknown>;
      commands?: Record<string, unknown>;
      events?: Record<string, unknown>;
    }
  >();
  for (const f of fragments) {
    const entry = byId.get(f.id) ?? { id: f.id };
    if (f.attributes) entry.attributes = { ...entry.attributes, ...f.attributes };
    if (f.commands) entry.commands = { ...entry.commands, ...f.commands };
    if (f.events) entry.events = { ...entry.events, ...f.events };
    byId.set(f.id, entry);
  }
  return [...byId.values()];
}

/**
 * Declarative vendor-event → Matter translation, a rule per vendor event type (optional: any
 * `Translate` function does). Unknown event types throw
 * `UnknownVendorEventError`, which the runtime logs, counts and answers — never drops silently.
 *
 * ```ts
 * const translate = defineTranslator<AcmeEvent>({
 *   typeOf: (e) => e.type,
 *   rules: {
 *     'fan.mode_changed': (e) => ({
 *       connectorDeviceId: e.deviceId,
 *       userId: e.ownerId,
 *       clusters: [fanControl.fanMode(FAN_MODES[e.mode])],
 *     }),
 *   },
 * });
 * ```
 */
export function defineTranslator<E>(spec: TranslatorSpec<E>): Translator<E> {
  return (event: E) => {
    const type = spec.typeOf(event);
    const rule = type === undefined ? undefined : spec.rules[type];
    if (!rule || !Object.hasOwn(spec.rules, type ?? '')) {
      throw new UnknownVendorEventError(type ?? '(missing type)');
    }
    return toDeviceEvents(rule(event));
  };
}

/** Value transform: a lookup table with a clear error for values it does not know. */
export function mapValue<K extends string, V>(table: Readonly<Record<K, V>>, what: string) {
  return (value: unknown): V => {
    if (typeof value === 'string' && Object.hasOwn(table, value)) return table[value as K];
    throw new UnknownVendorEventError(`${what}=${JSON.stringify(value)}`);
  };
}

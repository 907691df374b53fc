import type { MatterCluster } from '@c2c-kit/matter';
import type { AcmeEvent, AcmeKind, AcmeStates } from './acmeTypes.js';
import { AcmeConnectorError } from './errors.js';
import { KNOWN_MEMBERS, stateToClusters } from './toMatter.js';

const KINDS: readonly AcmeKind[] = ['camera', 'fan', 'light', 'lock', 'contact', 'thermostat'];

/** Vendor event types this connector translates (all of Acme's documented ones). */
export const ACME_EVENT_TYPES = [
  'device.motion',
  'device.battery',
  'device.connectivity',
  'device.contact',
  'device.lock',
  'device.temperature',
  'device.state',
] as const;

/**
 * Parses and checks a webhook body. The signature was verified before this runs, so a bad shape
 * means a vendor-side bug or an API change: it is rejected with the field at fault.
 */
export function parseAcmeEvent(body: string): AcmeEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new AcmeConnectorError('invalid_event', 'webhook body: expected JSON');
  }
  const e = value as Record<string, unknown>;
  const need = (key: string, ok: boolean, expected: string) => {
    if (!ok)
      throw new AcmeConnectorError('invalid_event', `webhook body.${key}: expected ${expected}`);
  };
  need('', typeof value === 'object' && value !== null && !Array.isArray(value), 'an object');
  for (const key of ['eventId', 'type', 'deviceId', 'userId', 'occurredAt'] as const) {
    need(key, typeof e[key] === 'string' && (e[key] as string).length > 0, 'a non-empty string');
  }
  need('kind', KINDS.includes(e.kind as AcmeKind), `one of ${KINDS.join('|')}`);
  need(
    'data',
    typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data),
    'an object',
  );
  return value as AcmeEvent;
}

/** What one Acme event becomes: a DEVICE_EVENT's device, user and Matter clusters. */
export interface TranslatedEvent {
  connectorDeviceId: string;
  userId: string;
  clusters: MatterCluster[];
}

/**
 * Acme event → Matter clusters. Throws for unknown types or state members, so the runtime reports
 * them (they are never dropped silently); values are validated by the Matter builders.
 */
export function translateAcmeEvent(event: AcmeEvent): TranslatedEvent {
  const base = { connectorDeviceId: event.deviceId, userId: event.userId };
  if (!(ACME_EVENT_TYPES as readonly string[]).includes(event.type)) {
    throw new AcmeConnectorError(
      'unknown_event',
      `unknown Acme event type ${JSON.stringify(event.type)}`,
    );
  }
  if (event.type === 'device.connectivity') {
    if (typeof event.data.online !== 'boolean') {
      throw new AcmeConnectorError(
        'invalid_event',
        'device.connectivity data.online: expected a boolean',
      );
    }
    return { ...base, clusters: stateToClusters(event.kind, {}, event.data.online) };
  }
  const unknown = Object.keys(event.data).filter((k) => !KNOWN_MEMBERS[event.kind].includes(k));
  if (unknown.length > 0) {
    throw new AcmeConnectorError(
      'unknown_event',
      `${event.type} for a ${event.kind}: unknown state member(s) ${unknown.join(', ')}`,
    );
  }
  const clusters = stateToClusters(event.kind, event.data as Partial<AcmeStates[AcmeKind]>);
  if (clusters.length === 0) {
    throw new AcmeConnectorError(
      'unknown_event',
      `${event.type} for a ${event.kind} carries no state`,
    );
  }
  return { ...base, clusters };
}

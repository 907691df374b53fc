import { getCluster } from '@c2c-kit/matter';
import { describePropertyValue } from './describe.js';

/** A customer notification put into words for the feed and the demo narration. */
export interface DescribedNotification {
  readonly eventType: string;
  /** `Camera · motion detected`, `Fan · FanMode → High` */
  readonly words: string;
  readonly managedThingId: string | undefined;
  readonly receivedAt: number;
  readonly raw: unknown;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The managed thing a notification is about: from `resources[]` ARNs (`…:managed-thing/<id>`). */
export function managedThingIdOf(message: unknown): string | undefined {
  if (!isRecord(message)) return undefined;
  const resources = Array.isArray(message.resources) ? message.resources : [];
  for (const resource of resources) {
    const match = /managed-thing\/([A-Za-z0-9_-]+)/.exec(String(resource));
    if (match) return match[1];
  }
  const payload = isRecord(message.payload) ? message.payload : {};
  return typeof payload.managedThingId === 'string' ? payload.managedThingId : undefined;
}

function clusterOfCapability(capabilityId: unknown) {
  const name = String(capabilityId ?? '')
    .replace(/^[a-z]+\./, '')
    .replace(/@.*$/, '');
  try {
    return getCluster(name) ?? undefined;
  } catch {
    return undefined;
  }
}

/** `matter.DoorLock@1.4` → `DoorLock`; an id Matter does not define keeps its own name part. */
function clusterNameOf(capabilityId: string): string {
  return (
    clusterOfCapability(capabilityId)?.name ??
    capabilityId.replace(/^[a-z]+\./, '').replace(/@.*$/, '')
  );
}

const LOCK_STATES = ['Not fully locked', 'Locked', 'Unlocked', 'Unlatched'];

/**
 * A property's value as an end user reads it, in words and units: `Locked`, `Battery 99 %`,
 * `Brightness 31 %`, `21.0 °C`, `Motion detected`, `High`. The one wording of values, shared by
 * the feed, the terminal narration and the dashboard's device cards.
 */
export function describeValue(capabilityId: unknown, property: string, value: unknown): string {
  const id = String(capabilityId ?? '');
  const cluster = clusterNameOf(id);
  const n = typeof value === 'number' ? value : undefined;
  switch (`${cluster}.${property}`) {
    case 'DoorLock.LockState':
      // Matter DoorLock LockState: 0 not fully locked, 1 locked, 2 unlocked, 3 unlatched.
      return n === undefined ? 'Unknown' : (LOCK_STATES[n] ?? `Lock state ${n}`);
    case 'PowerSource.BatPercentRemaining':
      // Half-percent units: 198 is 99 %.
      return n === undefined ? 'Battery unknown' : `Battery ${Math.round(n / 2)} %`;
    case 'LevelControl.CurrentLevel':
      // 0–254 is 0–100 %.
      return n === undefined ? 'Brightness unknown' : `Brightness ${Math.round((n / 254) * 100)} %`;
    case 'OccupancySensing.Occupancy':
      return (n !== undefined ? (n & 1) === 1 : value === true) ? 'Motion detected' : 'No motion';
    case 'BooleanState.StateValue':
      return value === true ? 'Closed' : 'Open';
    case 'OnOff.OnOff':
      return value === true ? 'On' : 'Off';
  }
  return describePropertyValue(id, property, value);
}

/** What end users call the properties the demo devices report. */
const PROPERTY_LABELS: Record<string, string> = {
  'DoorLock.LockState': 'Lock',
  'PowerSource.BatPercentRemaining': 'Battery',
  'LevelControl.CurrentLevel': 'Brightness',
  'OccupancySensing.Occupancy': 'Motion',
  'BooleanState.StateValue': 'Contact',
  'OnOff.OnOff': 'Power',
  'FanControl.FanMode': 'Fan mode',
  'Thermostat.LocalTemperature': 'Temperature',
  'TemperatureMeasurement.MeasuredValue': 'Temperature',
};

/**
 * A property's name as an end user reads it: `Battery`, `Fan mode`; any other property in
 * words from its Matter name (`OccupiedHeatingSetpoint` → `Occupied heating setpoint`).
 */
export function describeProperty(capabilityId: unknown, property: string): string {
  const id = String(capabilityId ?? '');
  const cluster = clusterNameOf(id);
  const label = PROPERTY_LABELS[`${cluster}.${property}`];
  if (label !== undefined) return label;
  const words = property
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Properties whose value words say what they are (`Battery 99 %`): no `name →` before them. */
const SELF_NAMED = new Set([
  'DoorLock.LockState',
  'PowerSource.BatPercentRemaining',
  'LevelControl.CurrentLevel',
]);

/** Phrases people use for the state changes the demo devices make. */
function phrase(clusterName: string, property: string, value: unknown): string | undefined {
  if (clusterName === 'OccupancySensing' && property === 'Occupancy') {
    const occupied = typeof value === 'number' ? (value & 1) === 1 : value === true;
    return occupied ? 'motion detected' : 'motion cleared';
  }
  if (clusterName === 'BooleanState' && property === 'StateValue') {
    return value === true ? 'closed' : 'opened';
  }
  if (clusterName === 'OnOff' && property === 'OnOff')
    return value === true ? 'turned on' : 'turned off';
  return undefined;
}

function describeProperties(endpoints: unknown, stateForm: boolean): string[] {
  const parts: string[] = [];
  for (const endpoint of Array.isArray(endpoints) ? endpoints : []) {
    if (!isRecord(endpoint)) continue;
    for (const capability of Array.isArray(endpoint.capabilities) ? endpoint.capabilities : []) {
      if (!isRecord(capability)) continue;
      const cluster = clusterOfCapability(capability.id);
      const clusterName = cluster?.name ?? String(capability.name ?? capability.id);
      for (const property of Array.isArray(capability.properties) ? capability.properties : []) {
        if (!isRecord(property)) continue;
        const name = String(property.name);
        const value =
          stateForm && isRecord(property.value) && 'propertyValue' in property.value
            ? property.value.propertyValue
            : property.value;
        const spoken = phrase(clusterName, name, value);
        if (spoken) {
          parts.push(spoken);
          continue;
        }
        const words = describeValue(capability.id, name, value);
        parts.push(SELF_NAMED.has(`${clusterName}.${name}`) ? words : `${name} → ${words}`);
      }
    }
  }
  return parts;
}

/**
 * The reason in a failed command's report, without the service's framing: the connector's
 * `responseMessage=…` when there is one (`Connector response exception: responseCode=409,
 * responseMessage=lock is jammed` → `lock is jammed`), else the message after its prefix.
 */
function commandFailureReason(message: unknown): string {
  const text = String(message ?? '');
  const answered = /responseMessage=(.*)$/s.exec(text)?.[1];
  if (answered !== undefined) return answered;
  return text.replace(
    /^.*? operation failed during (?:asynchronous )?invocation of the connector: /,
    '',
  );
}

/** Puts one notification message into words. `thingName` labels the device (`Camera`). */
export function describeNotification(
  message: unknown,
  thingName?: string,
  receivedAt = Date.now(),
): DescribedNotification {
  const m = isRecord(message) ? message : {};
  const eventType = String(m.messageType ?? m.eventType ?? 'UNKNOWN');
  const payload = isRecord(m.payload) ? m.payload : {};
  const managedThingId = managedThingIdOf(m);
  const who = thingName ?? managedThingId ?? 'account';
  let words: string;
  switch (eventType) {
    case 'DEVICE_EVENT': {
      const parts = describeProperties(payload.endpoints, false);
      words = `${who} · ${parts.length > 0 ? parts.join(', ') : 'event'}`;
      break;
    }
    case 'DEVICE_STATE': {
      const added = isRecord(payload.addedStates)
        ? payload.addedStates.endpoints
        : payload.endpoints;
      const parts = describeProperties(added, true);
      words = `${who} · state ${parts.length > 0 ? parts.join(', ') : 'updated'}`;
      break;
    }
    case 'DEVICE_COMMAND': {
      const result = payload.result ?? payload.status;
      words =
        `${who} · command ${String(payload.traceId ?? '')} ${typeof result === 'string' ? result.toLowerCase() : 'completed'}`.replace(
          /\s+/g,
          ' ',
        );
      break;
    }
    case 'DEVICE_DISCOVERY_STATUS':
      words = `Discovery ${String(payload.status ?? '').toLowerCase()}: ${String(payload.deviceCount ?? 0)} device(s)`;
      break;
    case 'ACCOUNT_ASSOCIATION':
      words = `Account association ${String(payload.state ?? payload.status ?? '')
        .toLowerCase()
        .replaceAll('_', ' ')}`;
      break;
    case 'CONNECTOR_ERROR_REPORT':
      words =
        payload.operation === 'AWS.SendCommand' && typeof payload.traceId === 'string'
          ? `${who} · command ${payload.traceId} failed (${String(payload.statusCode ?? '?')}): ${commandFailureReason(payload.message)}`
          : `Connector error ${String(payload.statusCode ?? '')} in ${String(payload.operation ?? '?')}: ${String(payload.message ?? '')}`;
      break;
    default:
      words = `${who} · ${eventType.toLowerCase().replaceAll('_', ' ')}`;
  }
  return { eventType, words, managedThingId, receivedAt, raw: message };
}

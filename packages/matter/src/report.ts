import { capabilityOf, MATTER_SPEC_VERSION } from './capability.js';
import { conformanceLevel, featureMapOf, featuresFromMap } from './conformance.js';
import { MatterBuilderError, UnknownMatterElementError } from './errors.js';
import {
  formatAttributeId,
  formatClusterId,
  formatCommandId,
  formatEventId,
  tryParseMatterId,
} from './ids.js';
import type { ClusterDef } from './model.js';
import { clusterIndex, getCluster, getDeviceType } from './table.js';
import { asText } from './text.js';

/** `MatterCapabilityReportAttribute` */
export interface CapabilityReportAttribute {
  readonly id: string;
  readonly name: string;
  readonly value?: unknown;
}

/** `MatterCapabilityReportCluster` */
export interface CapabilityReportCluster {
  readonly id: string;
  readonly revision: number;
  readonly publicId: string;
  readonly name: string;
  readonly specVersion: string;
  readonly attributes: readonly CapabilityReportAttribute[];
  readonly commands: readonly string[];
  readonly events: readonly string[];
  readonly featureMap: number;
  readonly generatedCommands: readonly string[];
}

/** `MatterCapabilityReportEndpoint` */
export interface CapabilityReportEndpoint {
  readonly id: string;
  readonly deviceTypes: readonly string[];
  readonly clusters: readonly CapabilityReportCluster[];
}

/** `MatterCapabilityReport` (SendConnectorEvent DEVICE_DISCOVERY `Devices[].CapabilityReport`). */
export interface MatterCapabilityReport {
  readonly version: '1.0.0';
  readonly nodeId?: string;
  readonly endpoints: readonly CapabilityReportEndpoint[];
}

/** How a cluster is declared in a report: a name/id, or with features and extra elements. */
export type ReportClusterSpec =
  | string
  | number
  | {
      readonly cluster: string | number;
      /** Feature codes or names (`['AUT']`, `['Battery']`) → FeatureMap. */
      readonly features?: readonly string[];
      /** Optional attributes to declare besides the mandatory ones, by name or id; or name → value. */
      readonly attributes?: readonly (string | number)[] | Readonly<Record<string, unknown>>;
      /** Optional request commands to declare besides the mandatory ones, by name or id. */
      readonly commands?: readonly (string | number)[];
      /** Optional events to declare besides the mandatory ones, by name or id. */
      readonly events?: readonly (string | number)[];
    };

export interface ReportEndpointSpec {
  readonly id: string;
  /** Device types by name (`'Fan'`), display name or id (`0x002B`); emitted as display names. */
  readonly deviceTypes: readonly (string | number)[];
  readonly clusters: readonly ReportClusterSpec[];
}

export interface CapabilityReportSpec {
  readonly nodeId?: string;
  readonly endpoints: readonly ReportEndpointSpec[];
}

function requireCluster(ref: string | number): ClusterDef {
  const c = getCluster(ref);
  if (c === undefined) throw new UnknownMatterElementError('cluster', ref);
  return c;
}

/**
 * One report cluster: the elements mandatory for its features plus the optional ones asked for.
 * Global attributes (0xFFF8–0xFFFD) are left out; `revision` is the AWS-capped (1–10) revision.
 */
export function reportCluster(spec: ReportClusterSpec): CapabilityReportCluster {
  const s = typeof spec === 'object' ? spec : { cluster: spec };
  const def = requireCluster(s.cluster);
  const index = clusterIndex(def);
  for (const f of s.features ?? []) {
    if (!def.features.some((x) => x.code === f || x.name === f)) {
      throw new MatterBuilderError(
        `${def.name}: unknown feature ${JSON.stringify(f)} (${def.features.map((x) => x.code).join(', ') || 'none'})`,
      );
    }
  }
  const featureMap = featureMapOf(def, s.features ?? []);
  const features = featuresFromMap(def, featureMap);
  const mandatory = (c: Parameters<typeof conformanceLevel>[0]) =>
    conformanceLevel(c, def, features) === 'mandatory';

  const values: Record<number, unknown> = {};
  const wantedAttributes = new Set<number>();
  const extra = s.attributes ?? [];
  const entries: Array<[string | number, unknown]> = Array.isArray(extra)
    ? extra.map((x) => [x, undefined])
    : Object.entries(extra);
  for (const [ref, value] of entries) {
    const attr =
      typeof ref === 'number'
        ? index.attributesById.get(ref)
        : (index.attributesByName.get(ref.toLowerCase()) ?? index.attributesById.get(Number(ref)));
    if (attr === undefined)
      throw new MatterBuilderError(`${def.name}: unknown attribute ${JSON.stringify(ref)}`);
    wantedAttributes.add(attr.id);
    if (value !== undefined) values[attr.id] = value;
  }
  const attributes = def.attributes
    .filter((a) => a.id < 0xf000 && (wantedAttributes.has(a.id) || mandatory(a.conformance)))
    .map((a) => ({
      id: formatAttributeId(a.id),
      name: a.name,
      ...(a.id in values ? { value: values[a.id] } : {}),
    }));

  const pick = <
    T extends { id: number; name: string; conformance: Parameters<typeof conformanceLevel>[0] },
  >(
    all: readonly T[],
    wanted: readonly (string | number)[] | undefined,
    what: string,
  ): T[] => {
    const ids = new Set<number>();
    for (const ref of wanted ?? []) {
      const found = all.find((x) =>
        typeof ref === 'number' ? x.id === ref : x.name.toLowerCase() === ref.toLowerCase(),
      );
      if (found === undefined)
        throw new MatterBuilderError(`${def.name}: unknown ${what} ${JSON.stringify(ref)}`);
      ids.add(found.id);
    }
    return all.filter((x) => ids.has(x.id) || mandatory(x.conformance));
  };
  const requests = pick(
    def.commands.filter((c) => c.direction === 'request'),
    s.commands,
    'command',
  );
  const responseNames = new Set(
    requests.map((c) => c.response).filter((r) => r !== undefined && r !== 'status'),
  );
  const generated = def.commands.filter(
    (c) => c.direction === 'response' && responseNames.has(c.name),
  );
  const events = pick(def.events, s.events, 'event');

  return {
    id: formatClusterId(def.id),
    revision: def.awsRevision,
    publicId: `matter.${def.name}@${MATTER_SPEC_VERSION}`,
    name: def.displayName,
    specVersion: MATTER_SPEC_VERSION,
    attributes,
    commands: requests.map((c) => formatCommandId(c.id)),
    events: events.map((e) => formatEventId(e.id)),
    featureMap,
    generatedCommands: generated.map((c) => formatCommandId(c.id)),
  };
}

/**
 * Builds the `MatterCapabilityReport` of a DEVICE_DISCOVERY device:
 *
 *   capabilityReport({ endpoints: [{ id: '1', deviceTypes: ['Fan'],
 *     clusters: [{ cluster: 'FanControl', features: ['AUT'] }, 'OnOff'] }] })
 */
export function capabilityReport(spec: CapabilityReportSpec): MatterCapabilityReport {
  return {
    version: '1.0.0',
    ...(spec.nodeId === undefined ? {} : { nodeId: spec.nodeId }),
    endpoints: spec.endpoints.map((e) => ({
      id: e.id,
      deviceTypes: e.deviceTypes.map((t) => {
        const dt = getDeviceType(t);
        if (dt === undefined) throw new UnknownMatterElementError('device type', t);
        return dt.displayName;
      }),
      clusters: e.clusters.map(reportCluster),
    })),
  };
}

/** Names of the ready-made endpoints for the virtual devices of c2c-kit. */
export type DevicePreset = 'fan' | 'light' | 'doorLock' | 'contactSensor' | 'thermostat' | 'camera';

/**
 * Ready-made endpoint declarations. Matter 1.4 has no camera device type (Camera arrives in 1.5),
 * so `camera` is composed of what 1.4 can express about a battery camera with motion detection:
 * device types Occupancy Sensor (0x0107) + Power Source (0x0011) with clusters OccupancySensing
 * (motion) and PowerSource (battery feature).
 */
export const DEVICE_PRESETS: Readonly<Record<DevicePreset, Omit<ReportEndpointSpec, 'id'>>> = {
  fan: {
    deviceTypes: ['Fan'],
    clusters: [{ cluster: 'FanControl', features: ['AUT'] }, 'OnOff'],
  },
  light: {
    deviceTypes: ['ColorTemperatureLight'],
    clusters: [
      'OnOff',
      { cluster: 'LevelControl', features: ['OO', 'LT'] },
      { cluster: 'ColorControl', features: ['CT'] },
    ],
  },
  doorLock: {
    deviceTypes: ['DoorLock'],
    clusters: ['DoorLock'],
  },
  contactSensor: {
    deviceTypes: ['ContactSensor'],
    clusters: ['BooleanState', { cluster: 'PowerSource', features: ['BAT'] }],
  },
  thermostat: {
    deviceTypes: ['Thermostat'],
    clusters: [{ cluster: 'Thermostat', features: ['HEAT', 'COOL', 'AUTO'] }],
  },
  camera: {
    deviceTypes: ['OccupancySensor', 'PowerSource'],
    clusters: [
      { cluster: 'OccupancySensing', features: ['PIR'] },
      { cluster: 'PowerSource', features: ['BAT'], attributes: ['BatPercentRemaining'] },
    ],
  },
};

/** A preset endpoint declaration with its id, ready for `capabilityReport`. */
export function presetEndpoint(preset: DevicePreset, id = '1'): ReportEndpointSpec {
  const p = DEVICE_PRESETS[preset];
  if (p === undefined)
    throw new MatterBuilderError(
      `unknown device preset ${JSON.stringify(preset)} (${Object.keys(DEVICE_PRESETS).join(', ')})`,
    );
  return { id, ...p };
}

/** The loosest capability-report shape accepted: protocol's wire type or this package's. */
export interface MatterCapabilityReportLike {
  readonly version: string;
  readonly nodeId?: string;
  readonly endpoints: readonly {
    readonly id: string;
    readonly deviceTypes: readonly string[];
    readonly clusters: readonly {
      readonly id: string;
      readonly revision?: number;
      readonly name?: string;
      readonly attributes?: readonly { readonly id?: string; readonly name?: string }[];
      readonly commands?: readonly string[];
      readonly events?: readonly string[];
    }[];
  }[];
}

/** `CapabilityReportCapability`: the customer's view of one cluster in a report. */
export interface CustomerReportCapability {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly properties: readonly string[];
  readonly actions: readonly string[];
  readonly events: readonly string[];
}

/** `CapabilityReport` (GetManagedThingCapabilities and friends): capabilities by name. */
export interface CustomerCapabilityReport {
  readonly version: string;
  readonly nodeId?: string;
  readonly endpoints: readonly {
    readonly id: string;
    readonly deviceTypes: readonly string[];
    readonly capabilities: readonly CustomerReportCapability[];
  }[];
}

/**
 * A connector's `MatterCapabilityReport` (ids) → the customer's `CapabilityReport` (names):
 * cluster `0x0202` → capability `matter.FanControl@1.4` with property, action and event names.
 * Ids Matter 1.4 does not define are kept as canonical hex (capability `matter.0x1003@1.4`,
 * version from the report's revision) rather than failing the whole report.
 */
export function toCustomerCapabilityReport(
  report: MatterCapabilityReportLike,
): CustomerCapabilityReport {
  return {
    version: report.version,
    ...(report.nodeId === undefined ? {} : { nodeId: report.nodeId }),
    endpoints: report.endpoints.map((ep) => ({
      id: ep.id,
      deviceTypes: ep.deviceTypes,
      capabilities: ep.clusters.map((cluster): CustomerReportCapability => {
        const def = getCluster(cluster.id);
        const hex = (id: string, width: 'attribute' | 'command' | 'event') => {
          const n = tryParseMatterId(id);
          if (n === undefined) return id;
          return width === 'attribute'
            ? formatAttributeId(n)
            : width === 'command'
              ? formatCommandId(n)
              : formatEventId(n);
        };
        if (def === undefined) {
          const cid = tryParseMatterId(cluster.id);
          const name = cid === undefined ? cluster.id : formatClusterId(cid);
          return {
            id: `matter.${name}@${MATTER_SPEC_VERSION}`,
            name: cluster.name ?? name,
            version: asText(cluster.revision ?? 1),
            properties: (cluster.attributes ?? []).map(
              (a) => a.name ?? hex(a.id ?? '', 'attribute'),
            ),
            actions: (cluster.commands ?? []).map((c) => hex(c, 'command')),
            events: (cluster.events ?? []).map((e) => hex(e, 'event')),
          };
        }
        const index = clusterIndex(def);
        return {
          ...capabilityOf(def),
          properties: (cluster.attributes ?? []).map(
            (a) =>
              (a.id === undefined
                ? undefined
                : index.attributesById.get(tryParseMatterId(a.id) ?? -1)?.name) ??
              a.name ??
              hex(a.id ?? '', 'attribute'),
          ),
          actions: (cluster.commands ?? []).map(
            (c) =>
              def.commands.find((x) => x.id === tryParseMatterId(c) && x.direction === 'request')
                ?.name ?? hex(c, 'command'),
          ),
          events: (cluster.events ?? []).map(
            (e) => index.eventsById.get(tryParseMatterId(e) ?? -1)?.name ?? hex(e, 'event'),
          ),
        };
      }),
    })),
  };
}

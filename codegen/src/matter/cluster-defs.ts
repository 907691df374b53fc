/**
 * matter.js models → the plain `ClusterDef` / `DeviceTypeDef` entries `packages/matter/src/model.ts`
 * describes: value specs, datatypes, compact conformance and display names.
 */
import type {
  ClusterModel,
  CommandModel,
  Conformance as ConformanceAspect,
  Constraint,
  DatatypeModel,
  DeviceTypeModel,
  ValueModel,
} from '@matter/model';
import type {
  AttributeDef,
  ClusterDef,
  CommandDef,
  Conformance,
  DatatypeDef,
  DeviceTypeDef,
  EventDef,
  FieldDef,
  ValueKind,
  ValueSpec,
} from '../../../packages/matter/src/model.js';

export interface Overrides {
  awsRevisionRange: { min: number; max: number };
  clusterDisplayNames: Record<string, string>;
  deviceTypeDisplayNames: Record<string, string>;
}

const KIND: Record<string, ValueKind> = {
  boolean: 'bool',
  integer: 'int',
  float: 'float',
  enum: 'enum',
  bitmap: 'bitmap',
  string: 'string',
  bytes: 'bytes',
  array: 'list',
  object: 'struct',
  date: 'int',
  any: 'any',
};

/** "FanControl" → "Fan Control"; acronyms and "/" come from overrides. */
function titleOf(name: string, overrides: Record<string, string>): string {
  return overrides[name] ?? name.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
}

/** Converts matter.js' conformance AST to the compact form documented in model.ts. */
function compactConformance(ast: ConformanceAspect['ast']): Conformance {
  switch (ast.type) {
    case 'empty':
      return '';
    case 'desc':
    case 'M':
    case 'O':
    case 'P':
    case 'D':
    case 'X':
      return ast.type;
    case 'name':
      return ['n', ast.param];
    case 'value':
      return ['v', ast.param];
    case 'group':
      return [',', ...ast.param.map(compactConformance)];
    case 'optionalIf':
      return ['[]', compactConformance(ast.param)];
    case 'choice':
      return ['c', compactConformance(ast.param.expr)];
    case '!':
      return ['!', compactConformance(ast.param)];
    default: {
      // The remaining AST kinds are the binary operators (&, |, ^, ==, !=, <, >, <=, >=).
      const { lhs, rhs } = (
        ast as { param: { lhs: ConformanceAspect['ast']; rhs: ConformanceAspect['ast'] } }
      ).param;
      return [ast.type, compactConformance(lhs), compactConformance(rhs)];
    }
  }
}

/** Scale of a `celsius` constraint literal by Matter temperature type (0.01 °C or 0.1 °C units). */
function celsiusScale(type: string | undefined): number | undefined {
  if (type === 'temperature' || type === 'TemperatureDifference') return 100;
  if (type === 'SignedTemperature' || type === 'UnsignedTemperature') return 10;
  return undefined;
}

/** A numeric bound, a sibling reference name, or undefined when the bound is not a simple value. */
function bound(expr: Constraint.Expression | undefined, type: string | undefined) {
  if (expr === undefined) return undefined;
  if (typeof expr === 'number') return expr;
  if (typeof expr === 'bigint') return Number(expr);
  if (typeof expr !== 'object' || expr === null) return undefined;
  const e = expr as { type?: string; name?: string; value?: number };
  if (e.type === 'reference' && typeof e.name === 'string') return e.name;
  if (e.type === 'percent' && typeof e.value === 'number') {
    return type === 'percent100ths' ? Math.round(e.value * 100) : e.value;
  }
  if (e.type === 'celsius' && typeof e.value === 'number') {
    const scale = celsiusScale(type);
    return scale === undefined ? undefined : Math.round(e.value * scale);
  }
  return undefined;
}

class ClusterBuilder {
  readonly datatypes: Record<string, DatatypeDef> = {};

  constructor(readonly cluster: ClusterModel) {}

  /** Registers an enum/bitmap/struct definition once and returns its key. */
  private datatype(def: ValueModel, owner: string, kind: ValueKind): string | undefined {
    // An inline definition (members declared on the attribute itself) is keyed by its owner path.
    const key = def.tag === 'datatype' ? def.name : `${owner}.${def.name}`;
    if (this.datatypes[key] !== undefined) return key;
    if (kind === 'enum') {
      this.datatypes[key] = {
        kind,
        name: def.name,
        members: def.members
          .filter((m) => m.id !== undefined || typeof m.effectiveId === 'number')
          .map((m) => ({
            value: (m.id ?? m.effectiveId) as number,
            name: m.name,
            conformance: compactConformance(m.conformance.ast),
          })),
      };
    } else if (kind === 'bitmap') {
      this.datatypes[key] = {
        kind,
        name: def.name,
        members: def.members.flatMap((m) => {
          const c = m.constraint;
          let bit: number | undefined;
          let width = 1;
          if (typeof c.value === 'number') bit = c.value;
          else if (typeof c.min === 'number' && typeof c.max === 'number') {
            bit = c.min;
            width = c.max - c.min + 1;
          }
          if (bit === undefined) return [];
          return [{ name: m.name, bit, width, conformance: compactConformance(m.conformance.ast) }];
        }),
      };
    } else {
      // Placeholder first so recursive structs terminate.
      this.datatypes[key] = { kind: 'struct', name: def.name, fields: [] };
      this.datatypes[key] = {
        kind: 'struct',
        name: def.name,
        fields: def.members.map((m) => this.field(m as ValueModel, key)),
      };
    }
    return key;
  }

  valueSpec(m: ValueModel, owner: string): ValueSpec {
    const kind = KIND[m.effectiveMetatype ?? 'any'] ?? 'any';
    const base = m.primitiveBase?.name;
    const type = m.type ?? base ?? 'any';
    const spec: {
      -readonly [K in keyof ValueSpec]: ValueSpec[K];
    } = { type, kind };
    if (base !== undefined && base !== type) spec.base = base;
    if (m.nullable) spec.nullable = true;
    const constraint = m.effectiveConstraint;
    if (!constraint.desc) {
      let min = bound(constraint.min, type);
      let max = bound(constraint.max, type);
      if (typeof constraint.value === 'number') {
        min = constraint.value;
        max = constraint.value;
      }
      if (min !== undefined) spec.min = min;
      if (max !== undefined) spec.max = max;
    }
    if (kind === 'enum' || kind === 'bitmap' || kind === 'struct') {
      const def = m.definingModel as DatatypeModel | undefined;
      if (def !== undefined && def.members.length > 0) {
        const ref = this.datatype(def, owner, kind);
        if (ref !== undefined) spec.ref = ref;
      }
    }
    if (kind === 'list') {
      const entry = m.listEntry;
      if (entry !== undefined) spec.entry = this.valueSpec(entry, `${owner}.${m.name}`);
    }
    return spec;
  }

  field(m: ValueModel, owner: string): FieldDef {
    const def: Record<string, unknown> = {
      id: m.id,
      name: m.name,
      ...this.valueSpec(m, owner),
      conformance: compactConformance(m.conformance.ast),
    };
    if (m.default !== undefined && typeof m.default !== 'object') def.default = m.default;
    return def as unknown as FieldDef;
  }
}

export function buildCluster(cluster: ClusterModel, overrides: Overrides): ClusterDef {
  const b = new ClusterBuilder(cluster);
  const { min, max } = overrides.awsRevisionRange;
  const attributes: AttributeDef[] = cluster.attributes
    .filter((a) => a.id !== undefined)
    .map((a) => {
      const access = a.effectiveAccess;
      return {
        ...b.field(a, a.name),
        access: access.toString(),
        quality: a.effectiveQuality.toString(),
        writable: a.writable,
      };
    });
  const commands: CommandDef[] = cluster.commands
    .filter((c) => c.id !== undefined)
    .map((c) => {
      // A derived cluster (RvcOperationalState over OperationalState, MicrowaveOvenMode over
      // ModeBase…) restates its base's commands without direction or response: both are
      // inherited, and without them a response command reads as a request and a request loses
      // the link to the response that answers it.
      const response = c.response ?? (c.base as CommandModel | undefined)?.response;
      const cmd: Record<string, unknown> = {
        id: c.id,
        name: c.name,
        direction: c.effectiveDirection === 'response' ? 'response' : 'request',
      };
      if (response !== undefined) cmd.response = response;
      cmd.access = c.effectiveAccess.toString();
      if (c.effectiveAccess.timed) cmd.timed = true;
      cmd.conformance = compactConformance(c.conformance.ast);
      cmd.fields = c.fields.map((f) => b.field(f, c.name));
      return cmd as unknown as CommandDef;
    });
  const events: EventDef[] = cluster.events
    .filter((e) => e.id !== undefined)
    .map((e) => ({
      id: e.id,
      name: e.name,
      priority: String(e.priority ?? 'info'),
      conformance: compactConformance(e.conformance.ast),
      fields: e.fields.map((f) => b.field(f, e.name)),
    }));
  const revision = cluster.revision;
  const def: ClusterDef = {
    id: cluster.id as number,
    name: cluster.name,
    displayName: titleOf(cluster.name, overrides.clusterDisplayNames),
    revision,
    // AWS MatterCapabilityReportClusterRevisionId is 1–10 (see inputs/matter/SOURCE.md).
    awsRevision: Math.min(max, Math.max(min, revision)),
    ...(cluster.classification ? { classification: cluster.classification } : {}),
    features: cluster.features.map((f) => ({
      bit: f.constraint.value as number,
      code: f.name,
      name: f.title ?? f.name,
    })),
    attributes,
    commands,
    events,
    datatypes: b.datatypes,
  };
  return def;
}

export function buildDeviceType(dt: DeviceTypeModel, overrides: Overrides): DeviceTypeDef {
  const clusters = dt.requirements
    .filter((r) => r.element === 'serverCluster' || r.element === 'clientCluster')
    .filter((r) => r.id !== undefined)
    .map((r) => {
      const conformance = compactConformance(r.conformance.ast);
      return {
        id: r.id as number,
        name: r.name,
        side: r.element === 'serverCluster' ? ('server' as const) : ('client' as const),
        conformance,
        // Descriptor carries an empty conformance here: it is mandatory through the Base device type.
        mandatory: conformance === 'M' || conformance === '',
      };
    });
  return {
    id: dt.id as number,
    name: dt.name,
    displayName: titleOf(dt.name, overrides.deviceTypeDisplayNames),
    revision: dt.revision,
    ...(dt.classification ? { classification: dt.classification } : {}),
    clusters,
  };
}

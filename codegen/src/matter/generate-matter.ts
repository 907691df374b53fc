/**
 * Generates the Matter 1.4 table of `@c2c-kit/matter` from `@matter/model` (0.15.x = Matter 1.4.1).
 *
 * Output: `packages/matter/src/generated/{clusters,device-types,source}.ts`, compact JSON-like data
 * typed by `packages/matter/src/model.ts`. matter.js is a build-time input only; the runtime package
 * never imports it. Editorial corrections come from `codegen/inputs/matter/overrides.json`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClusterModel,
  type Conformance as ConformanceAspect,
  type Constraint,
  type DatatypeModel,
  type DeviceTypeModel,
  Matter,
  type ValueModel,
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
  MatterModelSource,
  ValueKind,
  ValueSpec,
} from '../../../packages/matter/src/model.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outDir = 'packages/matter/src/generated';
/** The spec version AWS capability ids carry (`matter.FanControl@1.4`). */
const SPEC_VERSION = '1.4';

interface Overrides {
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

function buildCluster(cluster: ClusterModel, overrides: Overrides): ClusterDef {
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
      const cmd: Record<string, unknown> = {
        id: c.id,
        name: c.name,
        direction: c.direction === 'response' ? 'response' : 'request',
      };
      if (c.response !== undefined) cmd.response = c.response;
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

function buildDeviceType(dt: DeviceTypeModel, overrides: Overrides): DeviceTypeDef {
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

function banner(source: MatterModelSource): string {
  return [
    '// GENERATED FILE, DO NOT EDIT. Regenerate with `npm run gen`.',
    `// Source: ${source.package}@${source.packageVersion} (Matter ${source.specRevision}),`,
    '// generator codegen/src/matter/generate-matter.ts, overrides codegen/inputs/matter/overrides.json.',
    '',
  ].join('\n');
}

/**
 * Emits `JSON.parse(`[…]`)` with one array element per line: reviews see small, real diffs, V8
 * parses JSON text faster than an equivalent 700 KB object literal, and tsc does not type-check
 * the literal element by element.
 */
function jsonArray(items: readonly unknown[]): string {
  const body = items.map((item) => JSON.stringify(item)).join(',\n');
  // Template-literal escaping: backslashes first, then backticks and `${`.
  const escaped = `[\n${body}\n]`
    .replace(/\\/g, '\\\\')
    .replace(/`/g, '\\`')
    .replace(/\$\{/g, '\\${');
  return `JSON.parse(\`${escaped}\`)`;
}

/** `@matter/model` does not export its package.json: walk up from the resolved entry point. */
async function modelPackageJson(): Promise<{ name: string; version: string }> {
  let dir = dirname(createRequire(import.meta.url).resolve('@matter/model'));
  for (;;) {
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const pkg = JSON.parse(text) as { name?: string; version: string };
      if (pkg.name === '@matter/model') return pkg as { name: string; version: string };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('generate-matter: cannot find @matter/model/package.json');
    dir = parent;
  }
}

export async function generate(): Promise<Map<string, string>> {
  const overrides = JSON.parse(
    await readFile(join(repoRoot, 'codegen/inputs/matter/overrides.json'), 'utf8'),
  ) as Overrides;
  const pkg = await modelPackageJson();
  const source: MatterModelSource = {
    package: '@matter/model',
    packageVersion: pkg.version,
    specRevision: String(Matter.revision ?? '1.4'),
    specVersion: SPEC_VERSION,
  };
  if (!source.packageVersion.startsWith('0.15.')) {
    // 0.16+ models later specs (Thermostat r11 breaks AWS's revision cap); 1.4 is what AWS uses.
    throw new Error(
      `generate-matter: expected @matter/model 0.15.x (Matter 1.4), got ${pkg.version}`,
    );
  }

  const clusters = Matter.clusters
    .filter((c) => c.id !== undefined)
    .sort((a, b) => (a.id as number) - (b.id as number))
    .map((c) => buildCluster(c, overrides));
  const deviceTypes = Matter.deviceTypes
    .filter((d) => d.id !== undefined)
    .sort((a, b) => (a.id as number) - (b.id as number))
    .map((d) => buildDeviceType(d, overrides));

  const head = banner(source);
  const files = new Map<string, string>();
  files.set(
    `${outDir}/clusters.ts`,
    `${head}import type { ClusterDef } from '../model.js';\n\n` +
      `/** Every Matter 1.4 cluster with an id, sorted by id. */\n` +
      `export const CLUSTERS: readonly ClusterDef[] = ${jsonArray(clusters)};\n`,
  );
  files.set(
    `${outDir}/device-types.ts`,
    `${head}import type { DeviceTypeDef } from '../model.js';\n\n` +
      `/** Every Matter 1.4 device type with an id, sorted by id. */\n` +
      `export const DEVICE_TYPES: readonly DeviceTypeDef[] = ${jsonArray(deviceTypes)};\n`,
  );
  files.set(
    `${outDir}/source.ts`,
    `${head}import type { MatterModelSource } from '../model.js';\n\n` +
      `/** Where the generated table comes from. */\n` +
      `export const MATTER_MODEL_SOURCE: MatterModelSource = ${JSON.stringify(source, null, 2)};\n`,
  );
  return files;
}

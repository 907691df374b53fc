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
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import {
  type ClusterModel,
  type CommandModel,
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
import { inflatePacked } from '../../../packages/matter/src/packed.js';

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
 * Packs items into the text `packages/matter/src/packed.ts` decodes: object keys move into a
 * shape table, and every string or subtree that occurs often enough to pay for a reference
 * (the global attributes, common enums, `"uint8"`, …) is stored once in a pool. The decoded data
 * is exactly `items` (a test checks); the packed text is a fraction of the plain JSON, which
 * matters because every bundled connector ships and parses it on cold start.
 * One line per item, so the runtime decodes only the items it uses.
 */
function pack(items: readonly unknown[], head: (item: never) => unknown): string {
  const shapeIds = new Map<string, number>();
  const shapes: string[][] = [];
  const texts = new Map<unknown, string>();
  const counts = new Map<string, number>();
  const samples = new Map<string, unknown>();
  const keysOf = (v: object) =>
    Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
  const shapeOf = (keys: string[]) => {
    const key = keys.join(',');
    let id = shapeIds.get(key);
    if (id === undefined) {
      shapes.push(keys);
      id = shapes.length;
      shapeIds.set(key, id);
    }
    return id;
  };
  // Pass 1: each value's plain packed text (no references), and how often each text occurs.
  const canon = (v: unknown): string => {
    let text: string;
    if (typeof v === 'string') {
      if (v.startsWith('~'))
        throw new Error(`generate-matter: string ${v} would read as a reference`);
      text = JSON.stringify(v);
    } else if (Array.isArray(v)) {
      text = `[0${v.map((x) => `,${canon(x)}`).join('')}]`;
    } else if (v !== null && typeof v === 'object') {
      const keys = keysOf(v);
      const values = keys.map((k) => `,${canon((v as Record<string, unknown>)[k])}`);
      text = `[${shapeOf(keys)}${values.join('')}]`;
    } else {
      return JSON.stringify(v);
    }
    if (typeof v === 'object') texts.set(v, text);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    if (!samples.has(text)) samples.set(text, v);
    return text;
  };
  for (const item of items) canon(item);
  // Pool what saves bytes: n copies of L bytes cost n·L; pooled they cost L + n·(reference).
  const REF = 7;
  const pooled = [...counts]
    .filter(([text, n]) => n > 1 && n * text.length > text.length + 1 + n * REF)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([text]) => text);
  const poolIndex = new Map(pooled.map((text, i) => [text, i]));
  // Pass 2: the same texts, with references to pooled values.
  const emit = (v: unknown, inPool = false): string => {
    const text = typeof v === 'object' && v !== null ? (texts.get(v) as string) : JSON.stringify(v);
    const ref = inPool ? undefined : poolIndex.get(text);
    if (ref !== undefined) return `"~${ref}"`;
    if (Array.isArray(v)) return `[0${v.map((x) => `,${emit(x)}`).join('')}]`;
    if (v !== null && typeof v === 'object') {
      const keys = keysOf(v);
      const values = keys.map((k) => `,${emit((v as Record<string, unknown>)[k])}`);
      return `[${shapeIds.get(keys.join(','))}${values.join('')}]`;
    }
    return text;
  };
  const pool = pooled.map((text) => emit(samples.get(text), true));
  const heads = items.map((item) => head(item as never));
  const lines = [
    `[${JSON.stringify(shapes)},[${pool.join(',')}],${JSON.stringify(heads)}]`,
    ...items.map((item) => emit(item)),
  ];
  return lines.join('\n');
}

/**
 * Brotli + base64 of a packed text. Brotli's output can differ between Node versions while the
 * text is the same, so when the committed file already holds this exact text its bytes are kept:
 * `gen:check` then tests the content, not the compressor's version.
 */
async function compressed(text: string, path: string): Promise<string> {
  const committed = await readFile(join(repoRoot, path), 'utf8').catch(() => '');
  const previous = /unpack\('([A-Za-z0-9+/=]+)'\)/.exec(committed)?.[1];
  if (previous !== undefined && inflatePacked(previous) === text) return previous;
  return brotliCompressSync(Buffer.from(text, 'utf8'), {
    params: {
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
      [zlib.BROTLI_PARAM_LGWIN]: zlib.BROTLI_MAX_WINDOW_BITS,
      [zlib.BROTLI_PARAM_SIZE_HINT]: text.length,
    },
  }).toString('base64');
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

/**
 * The table as plain data — what `listClusters()` / `listDeviceTypes()` must return once the
 * packed files are decoded (the generator test compares the two).
 */
export async function buildTable(): Promise<{
  source: MatterModelSource;
  clusters: ClusterDef[];
  deviceTypes: DeviceTypeDef[];
}> {
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
  return { source, clusters, deviceTypes };
}

export async function generate(): Promise<Map<string, string>> {
  const { source, clusters, deviceTypes } = await buildTable();
  const head = banner(source);
  const names = (d: { id: number; name: string; displayName: string }) => [
    d.id,
    d.name,
    d.displayName,
  ];
  const files = new Map<string, string>();
  files.set(
    `${outDir}/clusters.ts`,
    `${head}import type { ClusterDef } from '../model.js';\nimport { type Pack, unpack } from '../packed.js';\n\n` +
      `/** Every Matter 1.4 cluster with an id, sorted by id; heads are [id, name, displayName]. */\n` +
      `export const CLUSTERS: Pack<ClusterDef, [number, string, string]> = unpack('${await compressed(pack(clusters, names), `${outDir}/clusters.ts`)}');\n`,
  );
  files.set(
    `${outDir}/device-types.ts`,
    `${head}import type { DeviceTypeDef } from '../model.js';\nimport { type Pack, unpack } from '../packed.js';\n\n` +
      `/** Every Matter 1.4 device type with an id, sorted by id; heads are [id, name, displayName]. */\n` +
      `export const DEVICE_TYPES: Pack<DeviceTypeDef, [number, string, string]> = unpack('${await compressed(pack(deviceTypes, names), `${outDir}/device-types.ts`)}');\n`,
  );
  files.set(
    `${outDir}/source.ts`,
    `${head}import type { MatterModelSource } from '../model.js';\n\n` +
      `/** Where the generated table comes from. */\n` +
      `export const MATTER_MODEL_SOURCE: MatterModelSource = ${JSON.stringify(source, null, 2)};\n`,
  );
  return files;
}

/**
 * Shape of the generated Matter 1.4 table (`src/generated/`). Kept deliberately plain (JSON data, no
 * classes) so the table loads in a few milliseconds and needs nothing of matter.js at run time.
 */

/**
 * A conformance expression in compact form, generated from matter.js' conformance AST.
 * - a flag: `'M'` mandatory, `'O'` optional, `'P'` provisional, `'D'` deprecated, `'X'` disallowed,
 *   `'desc'` (described in prose; treated as optional), `''` (none given; treated as mandatory)
 * - `['n', name]` a feature code or element name (`['n', 'AUT']`)
 * - `['!', a]`, `['&', a, b]`, `['|', a, b]`, `['^', a, b]`, and comparisons `['==', a, b]` …
 * - `['[]', a]` optional if `a` (`[LT]`), `[',', a, b, …]` otherwise-list (`LT, O`)
 * - `['v', value]` a literal, `['c', a]` a choice (`O.a`) over `a`
 */
export type Conformance = string | readonly [string, ...unknown[]];

/** Runtime kind of a value, derived from the Matter metatype. */
export type ValueKind =
  | 'bool'
  | 'int'
  | 'float'
  | 'enum'
  | 'bitmap'
  | 'string'
  | 'bytes'
  | 'list'
  | 'struct'
  | 'any';

/** How a value (attribute, command field, event field, list entry) is typed and constrained. */
export interface ValueSpec {
  /** Matter type name as the spec writes it: `FanModeEnum`, `percent`, `uint8`, `temperature`. */
  readonly type: string;
  readonly kind: ValueKind;
  /** Primitive base (`uint8`, `int16`, `single`, `string`, …) when the model defines one. */
  readonly base?: string;
  readonly nullable?: true;
  /**
   * Lower/upper bound: the value for numbers, the length for strings, bytes and lists. A string is
   * the (camelCase) name of a sibling attribute whose value is the bound (`max speedMax`); it is
   * checked only when the caller supplies sibling values.
   */
  readonly min?: number | string;
  readonly max?: number | string;
  /** Key into `ClusterDef.datatypes` for `enum`, `bitmap` and `struct` values. */
  readonly ref?: string;
  /** Entry type of a list. */
  readonly entry?: ValueSpec;
}

export interface FieldDef extends ValueSpec {
  readonly id: number;
  readonly name: string;
  readonly conformance: Conformance;
  readonly default?: unknown;
}

export interface AttributeDef extends FieldDef {
  /** Matter access string, e.g. `RW VO` (read/write, view to read, operate to write). */
  readonly access: string;
  /** Quality flags, e.g. `X N` (nullable, non-volatile), `F` fixed, `C` changes omitted. */
  readonly quality: string;
  readonly writable: boolean;
}

export interface CommandDef {
  readonly id: number;
  readonly name: string;
  /** `request`: client → server (what a customer sends); `response`: server → client. */
  readonly direction: 'request' | 'response';
  /** Name of the response command, or `status` for a plain status response. */
  readonly response?: string;
  readonly access: string;
  /** Requires a timed invoke in Matter (DoorLock LockDoor…). */
  readonly timed?: true;
  readonly conformance: Conformance;
  readonly fields: readonly FieldDef[];
}

export interface EventDef {
  readonly id: number;
  readonly name: string;
  readonly priority: string;
  readonly conformance: Conformance;
  readonly fields: readonly FieldDef[];
}

export interface FeatureDef {
  readonly bit: number;
  /** Short code used in conformance expressions: `AUT`. */
  readonly code: string;
  /** Spelled-out name: `Auto`. */
  readonly name: string;
}

export interface EnumMemberDef {
  readonly value: number;
  readonly name: string;
  readonly conformance: Conformance;
}

export interface BitmapMemberDef {
  readonly name: string;
  /** First bit of the member. */
  readonly bit: number;
  /** Number of bits (1 for a flag, more for a multi-bit field). */
  readonly width: number;
  readonly conformance: Conformance;
}

export type DatatypeDef =
  | { readonly kind: 'enum'; readonly name: string; readonly members: readonly EnumMemberDef[] }
  | { readonly kind: 'bitmap'; readonly name: string; readonly members: readonly BitmapMemberDef[] }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: readonly FieldDef[] };

export interface ClusterDef {
  readonly id: number;
  /** PascalCase name as in the spec and in AWS capability ids: `FanControl`. */
  readonly name: string;
  /** Spec title as AWS capability names use it: `Fan Control`, `On/Off`. */
  readonly displayName: string;
  /** Matter 1.4 cluster revision. */
  readonly revision: number;
  /** Revision as AWS accepts it in a capability report: `revision` clamped to 1–10. */
  readonly awsRevision: number;
  readonly classification?: string;
  readonly features: readonly FeatureDef[];
  readonly attributes: readonly AttributeDef[];
  readonly commands: readonly CommandDef[];
  readonly events: readonly EventDef[];
  readonly datatypes: Readonly<Record<string, DatatypeDef>>;
}

export interface DeviceTypeClusterRequirement {
  readonly id: number;
  readonly name: string;
  readonly side: 'server' | 'client';
  readonly conformance: Conformance;
  /** True when the cluster is unconditionally mandatory for the device type. */
  readonly mandatory: boolean;
}

export interface DeviceTypeDef {
  readonly id: number;
  readonly name: string;
  readonly displayName: string;
  readonly revision: number;
  readonly classification?: string;
  readonly clusters: readonly DeviceTypeClusterRequirement[];
}

export interface MatterModelSource {
  /** npm package the table was generated from. */
  readonly package: string;
  readonly packageVersion: string;
  /** Spec revision the package models (`1.4.1`). */
  readonly specRevision: string;
  /** Spec version AWS capability ids carry (`1.4`). */
  readonly specVersion: string;
}

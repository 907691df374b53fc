// CloudFormation's intrinsic functions, evaluated the way CloudFormation does before it hands a
// resource's properties to the service: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select,
// Fn::Split, Fn::If with the template's Conditions, Fn::FindInMap, Fn::Base64, Fn::GetAZs,
// Fn::ToJsonString, Fn::Length and the pseudo parameters. Anything else is refused by name.
import { DeployError } from '../errors.js';

/** `Ref: AWS::NoValue`: the property (or list item) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface ResolveContext {
  /** `AWS::AccountId`, `AWS::Region`, `AWS::Partition`, `AWS::StackName`, `AWS::StackId`, `AWS::URLSuffix`. */
  readonly pseudo: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly mappings: Readonly<Record<string, Record<string, Record<string, unknown>>>>;
  /** The value of a named condition (evaluated once, from the template's Conditions). */
  condition(name: string): boolean;
  /** `Ref` of a resource: its physical id. */
  ref(logicalId: string): unknown;
  /** `Fn::GetAtt` of a resource. */
  getAtt(logicalId: string, attribute: string): unknown;
}

type Json = unknown;

const fail = (where: string, message: string): never => {
  throw new DeployError(`${where}: ${message}`);
};

function onlyKey(value: object): string | undefined {
  const keys = Object.keys(value);
  return keys.length === 1 ? keys[0] : undefined;
}

function expectArray(where: string, fn: string, value: Json, length?: number): Json[] {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
    fail(where, `${fn}: expected a list${length === undefined ? '' : ` of ${length}`}`);
  }
  return value as Json[];
}

function expectString(where: string, fn: string, value: Json): string {
  if (typeof value !== 'string')
    fail(where, `${fn}: expected a string, got ${JSON.stringify(value)}`);
  return value as string;
}

/** `Ref` of a pseudo parameter, a template parameter or a resource. */
function refOf(name: string, ctx: ResolveContext, where: string): Json {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name.startsWith('AWS::')) {
    const value = ctx.pseudo[name];
    if (value === undefined) fail(where, `Ref: ${name} is no pseudo parameter known here`);
    return value;
  }
  if (Object.hasOwn(ctx.parameters, name)) return ctx.parameters[name];
  return ctx.ref(name);
}

/** `Fn::Sub`'s `${Name}`, `${Resource.Attribute}` and `${!Literal}`. */
function substitute(
  template: string,
  vars: Record<string, Json>,
  ctx: ResolveContext,
  where: string,
) {
  return template.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    let value: Json;
    if (Object.hasOwn(vars, name)) value = vars[name];
    else if (name.includes('.') && !name.startsWith('AWS::')) {
      const dot = name.indexOf('.');
      value = ctx.getAtt(name.slice(0, dot), name.slice(dot + 1));
    } else value = refOf(name, ctx, where);
    if (typeof value !== 'string' && typeof value !== 'number') {
      fail(where, `Fn::Sub: \${${name}} is not a string (${JSON.stringify(value)})`);
    }
    return String(value);
  });
}

function evaluateFunction(fn: string, arg: Json, ctx: ResolveContext, where: string): Json {
  const r = (v: Json) => resolveValue(v, ctx, where);
  switch (fn) {
    case 'Ref':
      return refOf(expectString(where, 'Ref', arg), ctx, where);
    case 'Fn::GetAtt': {
      const parts =
        typeof arg === 'string'
          ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)]
          : expectArray(where, fn, arg, 2).map(r);
      const [logicalId, attribute] = parts;
      if (typeof logicalId !== 'string' || typeof attribute !== 'string' || logicalId === '') {
        return fail(where, 'Fn::GetAtt: expected [LogicalId, Attribute]');
      }
      return ctx.getAtt(logicalId, attribute);
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return substitute(arg, {}, ctx, where);
      const [text, vars] = expectArray(where, fn, arg, 2);
      const resolvedVars = r(vars);
      if (typeof resolvedVars !== 'object' || resolvedVars === null) {
        return fail(where, 'Fn::Sub: expected a variable map as the second item');
      }
      return substitute(
        expectString(where, fn, text),
        resolvedVars as Record<string, Json>,
        ctx,
        where,
      );
    }
    case 'Fn::Join': {
      const [delimiter, list] = expectArray(where, fn, arg, 2);
      const items = expectArray(where, fn, r(list)).filter((v) => v !== NO_VALUE);
      return items
        .map((item) => {
          if (typeof item !== 'string' && typeof item !== 'number') {
            fail(where, `Fn::Join: expected strings, got ${JSON.stringify(item)}`);
          }
          return String(item);
        })
        .join(expectString(where, fn, delimiter));
    }
    case 'Fn::Select': {
      const [index, list] = expectArray(where, fn, arg, 2);
      const i = Number(r(index));
      const items = expectArray(where, fn, r(list));
      if (!Number.isInteger(i) || i < 0 || i >= items.length) {
        return fail(
          where,
          `Fn::Select: index ${String(index)} is outside a list of ${items.length}`,
        );
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [delimiter, text] = expectArray(where, fn, arg, 2);
      return expectString(where, fn, r(text)).split(expectString(where, fn, delimiter));
    }
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = expectArray(where, fn, arg, 3);
      return r(ctx.condition(expectString(where, fn, name)) ? whenTrue : whenFalse);
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = expectArray(where, fn, arg, 3).map(r);
      const value = ctx.mappings[String(map)]?.[String(top)]?.[String(second)];
      if (value === undefined)
        return fail(where, `Fn::FindInMap: no ${String(map)}.${String(top)}.${String(second)}`);
      return value;
    }
    case 'Fn::Base64':
      return Buffer.from(expectString(where, fn, r(arg)), 'utf8').toString('base64');
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((zone) => `${ctx.pseudo['AWS::Region']}${zone}`);
    case 'Fn::ToJsonString':
      return JSON.stringify(r(arg));
    case 'Fn::Length':
      return expectArray(where, fn, r(arg)).length;
    case 'Condition':
      return ctx.condition(expectString(where, fn, arg));
    case 'Fn::Equals': {
      const [a, b] = expectArray(where, fn, arg, 2).map(r);
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::Not':
      return !truthy(r(expectArray(where, fn, arg, 1)[0]), where);
    case 'Fn::And':
      return expectArray(where, fn, arg).every((c) => truthy(r(c), where));
    case 'Fn::Or':
      return expectArray(where, fn, arg).some((c) => truthy(r(c), where));
    case 'Fn::ImportValue':
      return fail(
        where,
        'Fn::ImportValue: the emulator keeps no stack exports; pass the value as a parameter',
      );
    default:
      return fail(where, `${fn} is not supported by the local deploy`);
  }
}

function truthy(value: Json, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return fail(where, `expected a condition (true/false), got ${JSON.stringify(value)}`);
}

/** Evaluates every intrinsic function in `value`; `where` names the property for errors. */
export function resolveValue(value: Json, ctx: ResolveContext, where: string): Json {
  if (Array.isArray(value)) {
    return value.map((v) => resolveValue(v, ctx, where)).filter((v) => v !== NO_VALUE);
  }
  if (typeof value !== 'object' || value === null) return value;
  const key = onlyKey(value);
  if (key !== undefined && (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))) {
    return evaluateFunction(key, (value as Record<string, Json>)[key], ctx, where);
  }
  // fromEntries defines own properties, so a "__proto__" key stays a key.
  return Object.fromEntries(
    Object.entries(value)
      .map(([k, v]) => [k, resolveValue(v, ctx, `${where}.${k}`)] as const)
      .filter(([, v]) => v !== NO_VALUE),
  );
}

/** Evaluates a condition expression of the template's Conditions section. */
export function evaluateCondition(expression: Json, ctx: ResolveContext, where: string): boolean {
  return truthy(resolveValue(expression, ctx, where), where);
}

/**
 * The logical ids `value` refers to (Ref, Fn::GetAtt, `${X}` / `${X.Attr}` in Fn::Sub), minus
 * parameters and pseudo parameters: what must exist before it can be resolved.
 */
export function referencedIds(value: Json, parameters: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const add = (id: string) => {
    if (!id.startsWith('AWS::') && !parameters.has(id)) found.add(id);
  };
  const walk = (v: Json): void => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const record = v as Record<string, Json>;
    const key = onlyKey(record);
    if (key === 'Ref' && typeof record.Ref === 'string') {
      add(record.Ref);
      return;
    }
    if (key === 'Fn::GetAtt') {
      const arg = record[key];
      if (typeof arg === 'string') add(arg.split('.')[0] ?? '');
      else if (Array.isArray(arg)) {
        if (typeof arg[0] === 'string') add(arg[0]);
        walk(arg.slice(1));
      }
      return;
    }
    if (key === 'Fn::Sub') {
      const arg = record[key];
      const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
      const names = new Set(Object.keys((vars as Record<string, Json>) ?? {}));
      walk(vars);
      for (const m of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const name = (m[1] ?? '').trim();
        if (!names.has(name)) add(name.split('.')[0] ?? name);
      }
      return;
    }
    for (const item of Object.values(record)) walk(item);
  };
  walk(value);
  return found;
}

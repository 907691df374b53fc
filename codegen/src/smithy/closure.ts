/** Which operations and shapes the protocol generator covers: every operation of the service and
 * every shape reachable from their inputs, outputs and errors. */
import { localName, NAMESPACE, resolveShape, type SmithyModel, type SmithyShape } from './model.js';

/**
 * Every operation of the service, in model order of names: protocol types, validates and binds all
 * of them, so the emulator can route each one (a 4xx for invalid input, 501 for valid input to an
 * operation it does not implement) and `c2c validate` knows every input. Bundles stay small because
 * each operation's bindings and validators are separate constants that a bundler drops when unused.
 */
export function modelOperations(model: SmithyModel): string[] {
  return Object.entries(model.shapes)
    .filter(([id, shape]) => shape.type === 'operation' && id.startsWith(`${NAMESPACE}#`))
    .map(([id]) => localName(id))
    .sort();
}

const sid = (name: string): string => `${NAMESPACE}#${name}`;

export interface Closure {
  readonly operations: ReadonlyArray<{ name: string; shape: SmithyShape }>;
  /** Every shape id reachable from the operations (inputs, outputs, errors), sorted. */
  readonly shapes: readonly string[];
  readonly errors: readonly string[];
}

export function computeClosure(model: SmithyModel): Closure {
  const seen = new Set<string>();
  const errors = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const shape = resolveShape(model, id);
    for (const m of Object.values(shape.members ?? {})) if (shape.type !== 'enum') visit(m.target);
    if (shape.member) visit(shape.member.target);
    if (shape.key) visit(shape.key.target);
    if (shape.value) visit(shape.value.target);
  };
  const operations = modelOperations(model).map((name) => {
    const shape = model.shapes[sid(name)];
    if (shape?.type !== 'operation') throw new Error(`smithy: operation ${name} not in model`);
    visit(shape.input?.target ?? 'smithy.api#Unit');
    visit(shape.output?.target ?? 'smithy.api#Unit');
    for (const e of shape.errors ?? []) {
      visit(e.target);
      errors.add(e.target);
    }
    return { name, shape };
  });
  return {
    operations,
    shapes: [...seen].sort(),
    errors: [...errors].sort(),
  };
}

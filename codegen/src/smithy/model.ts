/**
 * A small typed view of the Smithy 2.0 JSON AST: just the shape kinds and traits the protocol
 * generator reads. Unknown shape kinds fail loudly so a model refresh cannot silently drop a
 * constraint.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SmithyMember {
  readonly target: string;
  readonly traits?: Record<string, unknown>;
}

export interface SmithyShape {
  readonly type: string;
  readonly members?: Record<string, SmithyMember>;
  readonly member?: SmithyMember;
  readonly key?: SmithyMember;
  readonly value?: SmithyMember;
  readonly input?: { target: string };
  readonly output?: { target: string };
  readonly errors?: ReadonlyArray<{ target: string }>;
  readonly traits?: Record<string, unknown>;
}

export interface SmithyModel {
  readonly smithy: string;
  readonly shapes: Record<string, SmithyShape>;
}

export const MODEL_FILE = 'codegen/inputs/iot-managed-integrations-2025-03-03.smithy.json';
export const NAMESPACE = 'com.amazonaws.iotmanagedintegrations';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface LoadedModel {
  readonly model: SmithyModel;
  /** sha256 of the input bytes, printed in every generated banner. */
  readonly sha256: string;
}

export async function loadModel(): Promise<LoadedModel> {
  const bytes = await readFile(join(repoRoot, MODEL_FILE));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { model: JSON.parse(bytes.toString('utf8')) as SmithyModel, sha256 };
}

/** `com.amazonaws.iotmanagedintegrations#Foo` → `Foo`; prelude ids keep their local name too. */
export function localName(id: string): string {
  const hash = id.indexOf('#');
  return hash === -1 ? id : id.slice(hash + 1);
}

/** Prelude shapes the model targets directly (`smithy.api#String` …), as synthetic shapes. */
const PRELUDE: Record<string, SmithyShape> = {
  'smithy.api#String': { type: 'string' },
  'smithy.api#Integer': { type: 'integer' },
  'smithy.api#PrimitiveInteger': { type: 'integer' },
  'smithy.api#Long': { type: 'long' },
  'smithy.api#PrimitiveLong': { type: 'long' },
  'smithy.api#Boolean': { type: 'boolean' },
  'smithy.api#PrimitiveBoolean': { type: 'boolean' },
  'smithy.api#Double': { type: 'double' },
  'smithy.api#Float': { type: 'double' },
  'smithy.api#Document': { type: 'document' },
  'smithy.api#Timestamp': { type: 'timestamp' },
  'smithy.api#Unit': { type: 'structure', members: {} },
};

export function resolveShape(model: SmithyModel, id: string): SmithyShape {
  const shape = model.shapes[id] ?? PRELUDE[id];
  if (shape === undefined) throw new Error(`smithy: unknown shape ${id}`);
  return shape;
}

export function trait<T>(traits: Record<string, unknown> | undefined, name: string): T | undefined {
  return traits?.[`smithy.api#${name}`] as T | undefined;
}

export function hasTrait(traits: Record<string, unknown> | undefined, name: string): boolean {
  return traits !== undefined && `smithy.api#${name}` in traits;
}

/** Smithy documentation is HTML; keep the first sentence(s) as plain text for a JSDoc line. */
export function plainDoc(traits: Record<string, unknown> | undefined, max = 240): string {
  const html = trait<string>(traits, 'documentation');
  if (html === undefined) return '';
  let text = html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length > max) text = `${text.slice(0, max - 1).trimEnd()}…`;
  return text.replace(/\*\//g, '*\\/');
}

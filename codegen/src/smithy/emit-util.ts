/** Small pieces of TypeScript source shared by the protocol emitters. */
import { localName } from './model.js';

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `obj.name`, or `obj["name"]` when the name is not an identifier. */
export const prop = (obj: string, name: string): string =>
  IDENT.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;

/** An object-literal key: bare when it is an identifier, quoted otherwise. */
export const key = (name: string): string => (IDENT.test(name) ? name : JSON.stringify(name));

/** Error structures share their name with the generated exception class, so the body type is `XBody`. */
export function typeName(id: string, errors: ReadonlySet<string>): string {
  return errors.has(id) ? `${localName(id)}Body` : localName(id);
}

export function docBlock(lines: string[], indent = ''): string[] {
  const text = lines.filter((l) => l !== '');
  if (text.length === 0) return [];
  if (text.length === 1) return [`${indent}/** ${text[0]} */`];
  return [`${indent}/**`, ...text.map((l) => `${indent} * ${l}`), `${indent} */`];
}

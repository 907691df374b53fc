import { OPERATIONS } from '@c2c-kit/protocol';
import { BadRequest } from '../dev/http.js';

/** One HTTP call derived from a modelled operation and its input. */
export interface HttpCall {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: Record<string, unknown> | undefined;
  readonly successCode: number;
}

/**
 * Builds the restJson1 request of operation `name` from its input using the HTTP bindings the
 * protocol package generates from the Smithy model (never a hand-copied route table).
 */
export function toHttpCall(name: string, input: Record<string, unknown>): HttpCall {
  const table = OPERATIONS as unknown as Readonly<
    Record<string, (typeof OPERATIONS)[keyof typeof OPERATIONS]>
  >;
  const op = Object.hasOwn(table, name) ? table[name] : undefined;
  if (op === undefined) throw new BadRequest(`operation: unknown operation "${name}"`);
  let path: string = op.uri;
  for (const member of op.pathMembers) {
    const value = input[member];
    if (typeof value !== 'string' || value === '') {
      const got = value === undefined ? 'nothing' : JSON.stringify(value);
      throw new BadRequest(
        `${name}.${member}: expected a non-empty string (URI label), got ${got}`,
      );
    }
    path = path.replace(`{${member}}`, encodeURIComponent(value));
  }
  const query: Record<string, string> = {};
  for (const binding of op.queryBindings) {
    const value = input[binding.member];
    if (value !== undefined && value !== null) query[binding.name] = String(value);
  }
  let body: Record<string, unknown> | undefined;
  if (op.bodyMembers.length > 0) {
    body = {};
    for (const member of op.bodyMembers) {
      if (input[member] !== undefined) body[member] = input[member];
    }
  }
  return { method: op.method, path, query, body, successCode: op.successCode };
}

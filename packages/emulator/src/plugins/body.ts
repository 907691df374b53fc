import { parseJson } from '@c2c-kit/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { MalformedBodyError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact request body bytes (empty when there was none); SigV4 hashes these. */
    rawBody: Buffer;
  }
}

const EMPTY = Buffer.alloc(0);
const kRawBody = Symbol('c2c-kit.rawBody');
const kRawText = Symbol('c2c-kit.rawText');
const JSON_TYPES = new Set([
  'application/json',
  'application/x-amz-json-1.0',
  'application/x-amz-json-1.1',
]);

/** Largest accepted request body; Lambda's synchronous payload limit is 6 MB. */
export const DEFAULT_BODY_LIMIT = 6 * 1024 * 1024 + 1024;

function mediaType(request: FastifyRequest): string {
  const header = request.headers['content-type'];
  if (header === undefined) return '';
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

/**
 * Deepest nesting of arrays and objects a JSON body may have. Bodies nested thousands deep parse,
 * but overflow the call stack of anything recursive that touches them later (`JSON.stringify`,
 * validators), which would surface as a 500; real AWS payloads are a few levels deep.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * Parses JSON text like `JSON.parse`, but refuses bodies nested deeper than `MAX_JSON_DEPTH` and
 * `__proto__` / `constructor.prototype` keys (prototype poisoning) the way Fastify's own parser does.
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    // Slow path only on failure: protocol's parser names the line and column.
    const parsed = parseJson(text);
    const where = parsed.ok ? 'invalid JSON' : (parsed.issues[0]?.message ?? 'invalid JSON');
    throw new MalformedBodyError(`Request body is not valid JSON: ${where}`);
  }
  const poisonable = text.includes('__proto__') || text.includes('constructor');
  if (poisonable || mayNestDeeper(text, MAX_JSON_DEPTH)) checkBodyShape(value, poisonable);
  return value;
}

const OPENING_BRACKETS = ['{', '['] as const;

/**
 * False when `text` cannot nest deeper than `depth`: it opens at most that many arrays and
 * objects in all (brackets inside strings counted too, so this only ever errs towards a walk).
 * Cheaper than the walk, which allocates for every container of every body.
 */
function mayNestDeeper(text: string, depth: number): boolean {
  // Each level of nesting takes two characters, so shorter texts cannot be too deep.
  if (text.length <= 2 * depth) return false;
  // indexOf, not a loop over every character: the engine scans for one character much faster.
  let open = 0;
  for (const bracket of OPENING_BRACKETS) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) {
      if (++open > depth) return true;
    }
  }
  return false;
}

/** A container met by the walk; `parent` and `key` rebuild its path only when it is reported. */
interface Visit {
  readonly value: object;
  readonly depth: number;
  readonly parent: Visit | undefined;
  readonly key: string | number;
}

function pathOf(visit: Visit | undefined, key: string | number): string {
  const parts: Array<string | number> = [key];
  for (let v = visit; v?.parent !== undefined; v = v.parent) parts.push(v.key);
  return parts
    .reverse()
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`))
    .join('');
}

/** Iterative (an explicit stack, never the call stack): depth bound and reserved keys. */
function checkBodyShape(root: unknown, poisonable: boolean): void {
  if (typeof root !== 'object' || root === null) return;
  const stack: Visit[] = [{ value: root, depth: 1, parent: undefined, key: '' }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    if (visit.depth > MAX_JSON_DEPTH) {
      throw new MalformedBodyError(
        `Request body is nested more than ${MAX_JSON_DEPTH} levels deep (arrays and objects).`,
      );
    }
    const { value } = visit;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (typeof child === 'object' && child !== null)
          stack.push({ value: child, depth: visit.depth + 1, parent: visit, key: i });
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      const isObject = typeof child === 'object' && child !== null;
      if (
        poisonable &&
        (key === '__proto__' || (key === 'constructor' && isObject && 'prototype' in child))
      ) {
        throw new MalformedBodyError(
          `Request body is not allowed: ${pathOf(visit, key)} is a reserved key.`,
        );
      }
      if (isObject) stack.push({ value: child, depth: visit.depth + 1, parent: visit, key });
    }
  }
}

/**
 * The request body as UTF-8 text: the text the JSON parser already decoded when there was one,
 * otherwise decoded now (so handlers that keep the body verbatim never decode it twice).
 */
export function rawTextOf(request: FastifyRequest): string {
  const text = (request as FastifyRequest & { [kRawText]?: string })[kRawText];
  return text ?? request.rawBody.toString('utf8');
}

function parseJsonRequest(
  request: FastifyRequest,
  raw: Buffer,
  done: (error: Error | null, body?: unknown) => void,
): void {
  request.rawBody = raw;
  const text = raw.toString('utf8');
  (request as FastifyRequest & { [kRawText]?: string })[kRawText] = text;
  try {
    done(null, parseJsonBody(text));
  } catch (error) {
    done(error as Error, undefined);
  }
}

async function bodyParsers(app: FastifyInstance): Promise<void> {
  app.decorateRequest('rawBody', {
    getter(this: FastifyRequest & { [kRawBody]?: Buffer }) {
      return this[kRawBody] ?? EMPTY;
    },
    setter(this: FastifyRequest & { [kRawBody]?: Buffer }, value: Buffer) {
      this[kRawBody] = value;
    },
  });
  // Every content type keeps its exact bytes (SigV4 needs them); the JSON flavours the AWS
  // protocols use are parsed, everything else is handed on as the Buffer. The JSON types are
  // registered by name as well as through the catch-all: Fastify caches the parser it finds for a
  // Content-Type only when a parser is registered under that type, so a catch-all alone made it
  // re-parse the Content-Type header of every request.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...JSON_TYPES], { parseAs: 'buffer' }, (request, body, done) => {
    parseJsonRequest(request, body as Buffer, done);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    if (JSON_TYPES.has(mediaType(request))) {
      parseJsonRequest(request, raw, done);
      return;
    }
    request.rawBody = raw;
    done(null, raw);
  });
}

export const bodyPlugin = fp(bodyParsers, { name: '@c2c-kit/emulator-body', fastify: '5.x' });

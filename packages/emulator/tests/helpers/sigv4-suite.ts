import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignedRequestInput } from '../../src/index.js';

export const SUITE_DIR = join(import.meta.dirname, '..', 'fixtures', 'sigv4-test-suite', 'v4');

export interface SuiteContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  normalize: boolean;
  region: string;
  service: string;
  timestamp: string;
}

export interface SuiteCase {
  name: string;
  context: SuiteContext;
  header: SignedRequestInput;
  query: SignedRequestInput;
}

/**
 * Parses one `*-signed-request.txt`: request line, `Name:value` headers (obs-fold continuation
 * lines kept with their newline, which canonicalisation turns into one space), blank line, body.
 */
export function parseSignedRequest(text: string): SignedRequestInput {
  const src = text.endsWith('\n') && !text.includes('\n\n') ? text.slice(0, -1) : text;
  const split = src.indexOf('\n\n');
  const head = split === -1 ? src : src.slice(0, split);
  const body = split === -1 ? '' : src.slice(split + 2);
  const lines = head.split('\n');
  const requestLine = lines.shift() as string;
  const firstSpace = requestLine.indexOf(' ');
  const method = requestLine.slice(0, firstSpace);
  const target = requestLine.slice(firstSpace + 1, requestLine.lastIndexOf(' HTTP/'));
  const q = target.indexOf('?');
  const rawHeaders: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && rawHeaders.length > 0) {
      rawHeaders[rawHeaders.length - 1] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1));
  }
  return {
    method,
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    rawHeaders,
    body: Buffer.from(body, 'utf8'),
  };
}

export function loadSuite(): SuiteCase[] {
  return readdirSync(SUITE_DIR)
    .sort()
    .map((name) => {
      const dir = join(SUITE_DIR, name);
      const read = (file: string) => readFileSync(join(dir, file), 'utf8');
      return {
        name,
        context: JSON.parse(read('context.json')) as SuiteContext,
        header: parseSignedRequest(read('header-signed-request.txt')),
        query: parseSignedRequest(read('query-signed-request.txt')),
      };
    });
}

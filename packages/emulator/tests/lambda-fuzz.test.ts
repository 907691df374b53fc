import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';

// Malformed requests to every Lambda-side route (REST API, Function URLs, /_local/functions and
// its journal) must get a 4xx with a message, never a 5xx or a crash. Verification is off so the
// fuzzed input reaches the routes instead of stopping at SigV4.

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ memory: true, verify: false });
  emu.app.lambdaHost.registerFunction({ name: 'echo', handler: fixture('echo.mjs') });
  emu.app.lambdaHost.registerFunction({ name: 'web', handler: fixture('http.mjs') });
});

afterAll(async () => {
  await emu.close();
});

const functionNames = fc.oneof(
  fc.constantFrom(
    'echo',
    'nope',
    'arn:aws:lambda:us-east-1:111122223333:function:echo',
    'echo:live',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 250, maxLength: 300 }),
);

const bodies = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        FunctionName: fc.oneof(functionNames, fc.integer(), fc.constant(null)),
        EventSourceArn: fc.oneof(
          fc.string(),
          fc.constant('arn:aws:sqs:us-east-1:111122223333:q'),
          fc.integer(),
        ),
        BatchSize: fc.oneof(fc.integer({ min: -2, max: 20_000 }), fc.string()),
        Enabled: fc.oneof(fc.boolean(), fc.string()),
        FunctionResponseTypes: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), fc.anything()),
        name: fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.constant('fuzzed')),
        handler: fc.oneof(fc.string(), fc.constant(fixture('echo.mjs')), fc.constant('/etc')),
        exportName: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
        environment: fc.oneof(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.anything()),
          fc.anything(),
        ),
        timeoutSeconds: fc.oneof(fc.integer({ min: -1, max: 1000 }), fc.double(), fc.string()),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);

const requests = fc.oneof(
  fc.record({
    method: fc.constant('POST'),
    path: functionNames.map((n) => `/2015-03-31/functions/${encodeURIComponent(n)}/invocations`),
    query: fc.constantFrom(
      '',
      '?Qualifier=live',
      '?Qualifier=%24LATEST',
      '?Qualifier=a:b',
      '?Qualifier=',
    ),
    headers: fc.record(
      {
        'x-amz-invocation-type': fc.constantFrom('RequestResponse', 'Event', 'DryRun', 'Bogus', ''),
        'x-amz-log-type': fc.constantFrom('None', 'Tail', 'X'),
        'x-amz-client-context': fc.oneof(
          fc.base64String({ maxLength: 20 }),
          fc.string({ maxLength: 10 }),
        ),
        'content-type': fc.constantFrom(
          'application/json',
          'application/octet-stream',
          'text/plain',
        ),
      },
      { requiredKeys: [] },
    ),
    body: bodies,
  }),
  fc.record({
    method: fc.constant('GET'),
    path: fc
      .tuple(
        functionNames,
        fc.constantFrom(
          '/2015-03-31/functions/#',
          '/2015-03-31/functions/#/configuration',
          '/2021-10-31/functions/#/url',
        ),
      )
      .map(([n, template]) => template.replace('#', encodeURIComponent(n))),
    query: fc.constantFrom('', '?Qualifier=x', '?Qualifier=1'),
    headers: fc.constant({}),
    body: fc.constant(''),
  }),
  fc.record({
    method: fc.constantFrom('GET', 'DELETE', 'POST', 'PUT'),
    path: fc.oneof(
      fc.constant('/2015-03-31/event-source-mappings'),
      fc.constant('/2015-03-31/event-source-mappings/'),
      fc.uuid().map((u) => `/2015-03-31/event-source-mappings/${u}`),
      fc
        .string({ maxLength: 30 })
        .map((u) => `/2015-03-31/event-source-mappings/${encodeURIComponent(u)}`),
    ),
    query: fc.constantFrom(
      '',
      '?MaxItems=0',
      '?MaxItems=abc',
      '?Marker=-1',
      '?FunctionName=echo',
      '?EventSourceArn=x',
    ),
    headers: fc.constant({ 'content-type': 'application/json' }),
    body: bodies,
  }),
  fc.record({
    method: fc.constantFrom('POST', 'GET'),
    path: fc.constant('/_local/functions'),
    query: fc.constant(''),
    headers: fc.constantFrom(
      { 'content-type': 'application/json' },
      { 'content-type': 'text/plain' },
    ),
    body: bodies,
  }),
  fc.record({
    method: fc.constant('GET'),
    path: fc
      .tuple(functionNames, fc.constantFrom('invocations', 'logs'))
      .map(([name, what]) => `/_local/functions/${encodeURIComponent(name)}/${what}`),
    query: fc.oneof(
      fc.constantFrom('', '?after=0', '?after=-1', '?limit=0', '?limit=99999999999999999'),
      fc.string({ maxLength: 20 }).map((q) => `?after=${encodeURIComponent(q)}`),
    ),
    headers: fc.constant({}),
    body: fc.constant(''),
  }),
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    path: fc.string({ maxLength: 20 }).map((p) => `/lambda-url/web/${encodeURIComponent(p)}`),
    query: fc.string({ maxLength: 20 }).map((q) => `?${encodeURIComponent(q)}`),
    headers: fc.constantFrom(
      { 'content-type': 'application/json' },
      { 'content-type': 'image/png' },
      {},
    ),
    body: bodies,
  }),
);

describe('Lambda routes robustness', () => {
  it('malformed requests get a 4xx with a message, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        const res = await fetch(`${emu.url}${r.path}${r.query}`, {
          method: r.method,
          headers: r.headers as Record<string, string>,
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { body: r.body }),
        });
        const text = await res.text();
        expect(res.status, `${r.method} ${r.path} → ${text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) {
          const json = JSON.parse(text) as Record<string, unknown>;
          expect(json.message ?? json.Message, text).toBeTypeOf('string');
        }
      }),
      { numRuns: 200 },
    );
  });
});

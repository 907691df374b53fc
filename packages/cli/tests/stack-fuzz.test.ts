import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webhookHeaders } from '@c2c-kit/testing';
import { deepJson, expectHandled, hostileRequests, sendRaw } from '@c2c-kit/testing/hostile-http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevStack, startDevStack } from '../src/index.js';

// The dev stack's own intakes over real sockets: the reference connector's Function URL (run in
// the emulator's Lambda host) and the dashboard. Hostile input gets a 4xx with a message.

let dataDir: string;
let stack: DevStack;
let webhookSecret: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'c2c-stack-fuzz-'));
  stack = await startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
  // The webhook secret the stack generated, so fuzzed bodies can also get past the signature.
  const persisted = JSON.parse(await readFile(join(dataDir, 'dev-stack.json'), 'utf8')) as {
    webhookSecret: string;
  };
  webhookSecret = persisted.webhookSecret;
}, 90_000);

afterAll(async () => {
  await stack?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const portOf = (url: string): number => Number(new URL(url).port);

describe('connector Function URL intake (in the emulator)', () => {
  it('hostile requests, signed or not, get a 4xx with a message from the connector', async () => {
    const port = portOf(stack.functionUrl);
    const base = new URL(stack.functionUrl).pathname;
    await fc.assert(
      fc.asyncProperty(
        hostileRequests({ paths: [base, `${base}webhooks`], queryNames: ['id', 'type'] }),
        fc.boolean(),
        async (req, signed) => {
          const body = req.body ?? '';
          const headers = signed ? webhookHeaders(webhookSecret, body) : {};
          const answer = await sendRaw(port, { ...req, headers: { ...req.headers, ...headers } });
          expectHandled(answer, `${req.method} ${req.target.toString()} signed=${signed}`, {
            head: req.method === 'HEAD',
          });
        },
      ),
      { numRuns: 80, seed: 20261126 },
    );
  });

  it('a signed webhook nested 10,000 deep is refused with a 4xx', async () => {
    const port = portOf(stack.functionUrl);
    for (const body of [deepJson(10_000, 'object'), deepJson(10_000, 'array', 'constructor')]) {
      const headers = webhookHeaders(webhookSecret, body, `evt_deep_${body.length}`);
      const answer = await sendRaw(port, {
        method: 'POST',
        target: new URL(stack.functionUrl).pathname,
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      expectHandled(answer, `deep ${body.slice(0, 20)}`);
      expect(answer.status).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('dashboard', () => {
  it('hostile requests get a 4xx with a message; the page still loads afterwards', async () => {
    const port = portOf(stack.dashboardUrl);
    const account = stack.customer.accountId;
    // The run's API token, from the page as the browser gets it, so requests pass the guard.
    const page = await sendRaw(port, { method: 'GET', target: '/' });
    const token = /name="c2c-dashboard-token" content="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(token).not.toBe('');
    await fc.assert(
      fc.asyncProperty(
        hostileRequests({
          paths: [
            '/',
            '/index.html',
            '/app.js',
            '/api/config',
            '/api/vendor/devices/fan-1/events',
            `/api/accounts/${account}/operations/ListManagedThings`,
            `/api/accounts/${account}/operations/CreateAccountAssociation`,
            '/api/accounts/000000000000/operations/ListManagedThings',
          ],
          queryNames: ['token', 'account'],
          headers: fc.constant({ 'x-c2c-dashboard-token': token }),
        }),
        async (req) => {
          const answer = await sendRaw(port, req);
          expectHandled(answer, `${req.method} ${req.target.toString()}`, {
            head: req.method === 'HEAD',
          });
        },
      ),
      { numRuns: 80, seed: 20261126 },
    );
    expect((await sendRaw(port, { method: 'GET', target: '/' })).status).toBe(200);
  });
});

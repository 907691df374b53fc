import { readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SigV4Verifier } from '@c2c-kit/emulator';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIR, type DashboardServer, startDashboard } from '../src/dev/dashboardServer.js';

// A real upstream: an HTTP server that verifies SigV4 with the emulator's verifier and answers like
// the managed-integrations API (restJson1 error header on failure), plus an SSE stream.
interface Seen {
  method: string;
  path: string;
  query: string;
  body: string;
  service: string;
}

let upstream: Server;
let upstreamUrl: string;
let dashboard: DashboardServer;
const seen: Seen[] = [];
const triggers: Array<{ deviceId: string; event: string }> = [];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A DEVICE_EVENT of thing1's fan with FanMode `mode`. */
function fanEvent(mode: number) {
  return {
    messageType: 'DEVICE_EVENT',
    resources: ['arn:aws:iotmanagedintegrations:us-east-1:111122223333:managed-thing/thing1'],
    payload: {
      endpoints: [
        {
          endpointId: '1',
          capabilities: [
            {
              id: 'matter.FanControl@1.4',
              name: 'Fan Control',
              version: '1.4',
              properties: [{ name: 'FanMode', value: mode }],
            },
          ],
        },
      ],
    },
  };
}

beforeAll(async () => {
  const verifier = new SigV4Verifier({ credentials: [TEST_CREDENTIALS] });
  upstream = createServer(async (req, res) => {
    const body = await readBody(req);
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    if (path === '/_local/notifications') {
      // The emulator's recent history, oldest first: an earlier message and the one the live
      // stream also sends (id 7).
      res.writeHead(200, { 'content-type': 'application/json' });
      const earlier = { ...fanEvent(1), messageId: '5', timestamp: '1700000000000' };
      res.end(JSON.stringify({ Items: [earlier, { ...fanEvent(3), messageId: '7' }] }));
      return;
    }
    if (path === '/_local/notifications/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const message = {
        version: '1.0',
        messageType: 'DEVICE_EVENT',
        source: 'aws.iotmanagedintegrations',
        resources: ['arn:aws:iotmanagedintegrations:us-east-1:111122223333:managed-thing/thing1'],
        payload: {
          endpoints: [
            {
              endpointId: '1',
              capabilities: [
                {
                  id: 'matter.FanControl@1.4',
                  name: 'Fan Control',
                  version: '1.4',
                  properties: [{ name: 'FanMode', value: 3 }],
                },
              ],
            },
          ],
        },
      };
      res.write(`: hello\n\nid: 7\ndata: ${JSON.stringify(message)}\n\n`);
      res.write(`id: 8\ndata: ${JSON.stringify(fanEvent(2))}\n\n`);
      return;
    }
    try {
      const identity = verifier.verify({
        method: req.method ?? 'GET',
        path,
        query,
        rawHeaders: req.rawHeaders,
        body,
      });
      seen.push({
        method: req.method ?? '',
        path,
        query,
        body: body.toString(),
        service: identity.service,
      });
    } catch (error) {
      res.writeHead(403, {
        'x-amzn-errortype': 'InvalidSignatureException',
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ Message: (error as Error).message }));
      return;
    }
    if (path === '/managed-thing-states/thing1') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const properties = [
        { name: 'LockState', value: { propertyValue: 1 } },
        { name: 'BatPercentRemaining', value: { propertyValue: 198 } },
      ];
      const capabilities = [
        {
          id: 'matter.DoorLock@1.4',
          name: 'Door Lock',
          version: '1.4',
          properties: [properties[0]],
        },
        {
          id: 'matter.PowerSource@1.4',
          name: 'Power',
          version: '1.4',
          properties: [properties[1]],
        },
      ];
      res.end(JSON.stringify({ Endpoints: [{ endpointId: '1', capabilities }] }));
      return;
    }
    if (path === '/managed-things/thing1') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Id: 'thing1', Name: 'Living room fan' }));
      return;
    }
    if (path.startsWith('/managed-things-command/missing')) {
      res.writeHead(404, {
        'x-amzn-errortype': 'ResourceNotFoundException',
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ Message: 'Managed thing missing not found' }));
      return;
    }
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ TraceId: 'abc123=_1' }));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  dashboard = await startDashboard({
    region: 'us-east-1',
    emulatorUrl: upstreamUrl,
    vendorCloudUrl: 'http://127.0.0.1:9',
    customers: [
      { accountId: TEST_CREDENTIALS.accountId, name: 'Demo', credentials: TEST_CREDENTIALS },
    ],
    demoUsers: [{ username: 'alice', password: 'alice-password' }],
    connectorDestinationId: () => 'dest1',
    notificationStreamUrl: (account) =>
      `${upstreamUrl}/_local/notifications/stream?account=${account}`,
    recentNotificationsUrl: (account) => `${upstreamUrl}/_local/notifications?account=${account}`,
    triggerVendorEvent: async (_user, deviceId, event) => {
      triggers.push({ deviceId, event });
      return { ok: true };
    },
  });
});

afterAll(async () => {
  await dashboard.close();
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

// As the page does: every /api call carries the run's token (see dashboard-guard.test.ts).
const api = (path: string, init?: RequestInit) =>
  fetch(`${dashboard.url}${path}`, {
    ...init,
    headers: { 'x-c2c-dashboard-token': dashboard.token, ...init?.headers },
  });
const post = (path: string, body: unknown) =>
  api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('dashboard server', () => {
  it('serves the static page with a content type and no build step', async () => {
    const page = await api('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const js = await api('/app.js');
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect((await api('/../package.json')).status).toBe(404);
    expect((await api('/nope.html')).status).toBe(404);
  });

  it('serves every module the page imports, as JavaScript', async () => {
    // The page is split into sibling ES modules loaded by relative URL: a missing one breaks it.
    const pending = ['app.js'];
    const served = new Set<string>();
    while (pending.length > 0) {
      const name = pending.shift() as string;
      if (served.has(name)) continue;
      served.add(name);
      const js = await api(`/${name}`);
      expect(js.status, name).toBe(200);
      expect(js.headers.get('content-type'), name).toContain('text/javascript');
      for (const [, imported] of (await js.text()).matchAll(/from '\.\/([\w-]+\.js)';/g)) {
        if (imported) pending.push(imported);
      }
    }
    // Every module in the folder is reached from the entry: none left behind by a split.
    const modules = (await readdir(DASHBOARD_DIR)).filter((f) => f.endsWith('.js'));
    expect([...served].sort()).toEqual(modules.sort());
    expect(served.size).toBeGreaterThan(1);
  });

  it('exposes config without any AWS secret', async () => {
    const config = await (await api('/api/config')).text();
    expect(config).toContain('"connectorDestinationId":"dest1"');
    expect(config).not.toContain(TEST_CREDENTIALS.secretAccessKey);
    expect(config).not.toContain(TEST_CREDENTIALS.accessKeyId);
  });

  it('signs an allowed operation as the customer and maps it onto the model binding', async () => {
    const response = await post('/api/accounts/111122223333/operations/SendManagedThingCommand', {
      ManagedThingId: 'thing1',
      Endpoints: [{ endpointId: '1', capabilities: [] }],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ TraceId: 'abc123=_1' });
    const last = seen.at(-1);
    expect(last?.service).toBe('iotmanagedintegrations');
    expect(last?.method).toBe('POST');
    expect(last?.path).toBe('/managed-things-command/thing1');
    expect(JSON.parse(last?.body ?? '{}')).toEqual({
      Endpoints: [{ endpointId: '1', capabilities: [] }],
    });
  });

  it('passes query members with their wire names', async () => {
    await post('/api/accounts/111122223333/operations/ListManagedThings', { MaxResults: 5 });
    expect(seen.at(-1)?.query).toBe('MaxResults=5');
  });

  it('relays upstream errors with the service error name', async () => {
    const response = await post('/api/accounts/111122223333/operations/SendManagedThingCommand', {
      ManagedThingId: 'missing',
      Endpoints: [],
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'ResourceNotFoundException' });
  });

  it('rejects bad requests with 4xx naming the field, never 5xx', async () => {
    const cases: Array<[string, unknown, number, RegExp]> = [
      [
        '/api/accounts/999/operations/ListManagedThings',
        {},
        404,
        /accountId: expected one of 111122223333, got "999"/,
      ],
      [
        '/api/accounts/111122223333/operations/CreateCloudConnector',
        {},
        404,
        /operation: expected one of/,
      ],
      [
        '/api/accounts/111122223333/operations/GetManagedThing',
        {},
        400,
        /GetManagedThing\.Identifier: expected a non-empty string/,
      ],
      [
        '/api/vendor/devices/cam-1/events',
        { event: 7 },
        400,
        /event: expected a non-empty string, got 7/,
      ],
    ];
    for (const [path, body, status, message] of cases) {
      const response = await post(path, body);
      expect(response.status, path).toBe(status);
      expect(((await response.json()) as { message: string }).message, path).toMatch(message);
    }
    const notJson = await api('/api/accounts/111122223333/operations/ListManagedThings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/^body: expected JSON/);
  });

  it('forwards vendor-side triggers', async () => {
    const response = await post('/api/vendor/devices/cam-1/events', { event: 'motion' });
    expect(response.status).toBe(202);
    expect(triggers.at(-1)).toEqual({ deviceId: 'cam-1', event: 'motion' });
  });

  it('relays the notification stream as described events with the raw JSON', async () => {
    const abort = new AbortController();
    const response = await api('/api/accounts/111122223333/events', { signal: abort.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body?.getReader();
    let text = '';
    while (reader && !text.includes('id: 8\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    const events = text
      .split('\n\n')
      .filter((e) => e.includes('data: '))
      .map((e) => ({
        id: /^id: (.*)$/m.exec(e)?.[1],
        data: JSON.parse(e.split('data: ')[1] ?? '{}'),
      }));
    // The recent history first (flagged as replayed, at its own time), then the live stream
    // without the message the history already carried (id 7).
    expect(events.map((e) => [e.id, e.data.replayed])).toEqual([
      ['5', true],
      ['7', true],
      ['8', false],
    ]);
    expect(text).toMatch(/^id: 5\nevent: notification\ndata: /);
    expect(events[0]?.data.receivedAt).toBe(1700000000000);
    expect(events.map((e) => e.data.words)).toEqual([
      'Living room fan · FanMode → Low',
      'Living room fan · FanMode → High',
      'Living room fan · FanMode → Medium',
    ]);
    expect(events[1]?.data.managedThingId).toBe('thing1');
    expect(events[1]?.data.raw.messageType).toBe('DEVICE_EVENT');
  });

  it("puts a thing's state values into words for the page", async () => {
    const response = await post('/api/accounts/111122223333/operations/GetManagedThingState', {
      ManagedThingId: 'thing1',
    });
    const body = (await response.json()) as {
      Endpoints: { capabilities: { properties: { words?: string }[] }[] }[];
    };
    const words = body.Endpoints[0]?.capabilities.flatMap((c) => c.properties.map((p) => p.words));
    expect(words).toEqual(['Locked', 'Battery 99 %']);
  });
});

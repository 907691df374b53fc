import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevStack } from '@c2c-kit/cli';
import type { Response as BrowserResponse, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserStack, startBrowserStack } from './helpers/browser-stack.js';

// A hostile page in a real browser (Debian's chromium) against a running `c2c dev` stack: served
// from ANOTHER loopback port, it tries what a page the developer visits could try, and the test
// checks from outside that nothing happened. DNS rebinding is simulated by mapping rebind.test to
// 127.0.0.1 in chromium's resolver (see docs/security.md for the rules under test).

let env: BrowserStack;
let stack: DevStack;
let page: Page;
let attacker: Server;
let attackerUrl: string;

const ATTACK_PAGE = '<!doctype html><title>attacker</title><iframe name="sink"></iframe>';

beforeAll(async () => {
  env = await startBrowserStack('attacks', [
    '--host-resolver-rules=MAP rebind.test 127.0.0.1',
    // Chromium itself stops a public page from reaching loopback (Local Network Access); other
    // browsers do not, so the servers' own checks are tested with it off.
    '--disable-features=LocalNetworkAccessChecks',
  ]);
  ({ stack, page } = env);
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ATTACK_PAGE);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', () => resolve()));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
}, 90_000);

afterAll(async () => {
  attacker?.closeAllConnections();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  await env?.close();
});

async function functionNames(): Promise<string[]> {
  const res = await fetch(`${stack.emulatorUrl}/_local/functions`);
  return ((await res.json()) as { functions: Array<{ name: string }> }).functions.map(
    (f) => f.name,
  );
}

async function lockState(): Promise<string> {
  const res = await fetch(`${stack.vendorCloudUrl}/_sim/devices`);
  const { devices } = (await res.json()) as {
    devices: Array<{ deviceId: string; state: { lockState?: string } }>;
  };
  return devices.find((d) => d.deviceId === 'lock-1')?.state.lockState ?? 'missing';
}

/** Statuses of the POSTs chromium actually sent while `run` ran, by URL. */
async function postsDuring(run: () => Promise<unknown>): Promise<Array<[string, number]>> {
  const seen: Array<[string, number]> = [];
  const onResponse = (r: BrowserResponse) => {
    if (r.request().method() === 'POST') seen.push([r.url(), r.status()]);
  };
  page.on('response', onResponse);
  try {
    await run();
  } finally {
    page.off('response', onResponse);
  }
  return seen;
}

describe('a hostile page on another loopback port', () => {
  it('cannot register a function, fire a device event or trigger a device', async () => {
    const functionsBefore = await functionNames();
    const lockBefore = await lockState();
    await page.goto(attackerUrl);
    const targets = {
      functions: `${stack.emulatorUrl}/_local/functions`,
      dashboardEvent: `${stack.dashboardUrl}/api/vendor/devices/lock-1/events`,
      simTrigger: `${stack.vendorCloudUrl}/_sim/devices/lock-1/trigger`,
    };
    const evil = JSON.stringify({
      name: 'evil',
      handler: '/usr/lib/node_modules/npm/index.js',
      environment: { NODE_OPTIONS: '--require /tmp/evil.cjs' },
    });
    let outcomes: Record<string, string> = {};
    const posts = await postsDuring(async () => {
      outcomes = await page.evaluate(
        async ({ targets, evil }) => {
          const bounded = <T>(p: Promise<T>): Promise<T | 'timeout'> =>
            Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000))]);
          const sink = document.querySelector('iframe') as HTMLIFrameElement;
          const submit = (action: string, fields: Record<string, string>) => {
            const form = document.createElement('form');
            form.method = 'POST';
            form.action = action;
            form.target = 'sink';
            for (const [name, value] of Object.entries(fields)) {
              const input = document.createElement('input');
              input.name = name;
              input.value = value;
              form.append(input);
            }
            document.body.append(form);
            const loaded = new Promise<string>((r) =>
              sink.addEventListener('load', () => r('sent'), { once: true }),
            );
            form.submit();
            return bounded(loaded);
          };
          const settle = (p: Promise<Response>) =>
            bounded(
              p.then(
                (r) => `status ${r.status}`,
                (e: Error) => `blocked: ${e.name}`,
              ),
            );
          return {
            // A "simple" request: no preflight, the body is not readable JSON to the browser.
            noCors: await settle(
              fetch(targets.functions, {
                method: 'POST',
                mode: 'no-cors',
                headers: { 'content-type': 'text/plain' },
                body: evil,
              }),
            ),
            // JSON needs a CORS preflight, which the local API never answers.
            json: await settle(
              fetch(targets.functions, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: evil,
              }),
            ),
            dashboardForm: await submit(targets.dashboardEvent, { event: 'manual_unlock' }),
            dashboardJson: await settle(
              fetch(targets.dashboardEvent, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: '{"event":"manual_unlock"}',
              }),
            ),
            simForm: await submit(targets.simTrigger, { event: 'manual_unlock' }),
          };
        },
        { targets, evil },
      );
    });
    // The browser sent the simple requests and forms, and each was refused by the server…
    expect(outcomes).toMatchObject({
      noCors: 'status 0',
      json: 'blocked: TypeError',
      dashboardForm: 'sent',
      dashboardJson: 'blocked: TypeError',
      simForm: 'sent',
    });
    expect(posts.map(([url]) => url).sort()).toEqual(
      [targets.functions, targets.dashboardEvent, targets.simTrigger].sort(),
    );
    for (const [url, status] of posts) expect({ url, status }).toEqual({ url, status: 403 });
    // …and nothing changed.
    expect(await functionNames()).toEqual(functionsBefore);
    expect(await lockState()).toBe(lockBefore);
  }, 30_000);
});

describe('a DNS-rebound page', () => {
  it('reads nothing from any of the three servers: the Host check answers 403', async () => {
    const targets: Array<[string, string]> = [
      [stack.emulatorUrl, '/_local/state'],
      [stack.dashboardUrl, '/api/config'],
      [stack.vendorCloudUrl, '/_sim/devices'],
    ];
    for (const [base, path] of targets) {
      const port = new URL(base).port;
      // The attacker's page first arrives from rebind.test:<port> while the name still points at
      // the attacker (a routed response); then the name points at 127.0.0.1 (the resolver rule)
      // and the page's SAME-ORIGIN requests reach the local server.
      const origin = `http://rebind.test:${port}`;
      await page.route(`${origin}/attack`, (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', body: ATTACK_PAGE }),
      );
      await page.goto(`${origin}/attack`);
      const read = await page.evaluate(async (p) => {
        const res = await fetch(p);
        return { status: res.status, body: await res.text() };
      }, path);
      await page.unroute(`${origin}/attack`);
      expect({ path, status: read.status }).toEqual({ path, status: 403 });
      expect(read.body).toContain('LOCAL_GUARD_HOST');
      expect(read.body).not.toMatch(/lock-1|customers|"Items"|connector/i);
    }
  }, 30_000);
});

import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevStack, startDevStack } from '@c2c-kit/cli';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  type BrowserStack,
  loginAtVendor,
  startBrowserStack,
} from './helpers/browser-stack.js';
import { addThing, discover, linkAccount } from './helpers/customer.js';

// A link whose vendor tokens are gone, seen in the dashboard (chromium). Nothing is injected: a
// first stack links alice; her vendor's memory of the grant is then lost (its state file removed,
// as a vendor that forgot or revoked the grant behind the service's back); the second start's
// dashboard runs a discovery through the old link. The vendor answers 401, the connector reports
// the discovery failed with that status at once, the emulator ends the discovery FAILED with a
// CONNECTOR_ERROR_REPORT, tries the refresh token (refused too) and marks the link
// REFRESH_TOKEN_EXPIRED with the reason — which the page shows, never "0 devices found".

let dataDir: string;
let env: BrowserStack;
let stack: DevStack;
let page: Page;
const ids: Record<string, string> = {};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'c2c-broken-'));
  const before = await startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
  let vendorPort: number;
  try {
    ids.association = await linkAccount(before, 'alice', 'alice-password', 'alice-home');
    const discovery = await discover(before, ids.association);
    await addThing(before, ids.association, discovery, 'fan-1');
    vendorPort = Number(new URL(before.vendorCloudUrl).port);
  } finally {
    await before.close();
  }
  rmSync(join(dataDir, 'vendor-cloud.json'));
  env = await startBrowserStack('broken', [], { dataDir, vendorPort });
  ({ stack, page } = env);
}, 120_000);

afterAll(async () => {
  await env?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a link whose vendor tokens are gone, in the dashboard (chromium)', () => {
  it('a discovery through it fails with the reason, and the link shows as broken', async () => {
    await page.goto(stack.dashboardUrl);
    await page.locator('#end-user').selectOption('alice');
    await expect
      .poll(() => page.locator('#stream-state').textContent(), { timeout: 10_000 })
      .toBe('live');
    const link = page.locator(`.association[data-association="${ids.association}"]`);
    // The service does not know yet: the link looks fine until it is used.
    await expect.poll(() => link.getAttribute('data-state')).toBe('ASSOCIATION_SUCCEEDED');

    await link.getByRole('button', { name: 'Discover devices' }).click();
    const status = page.locator('#things-status');
    await expect
      .poll(() => status.textContent(), { timeout: 20_000 })
      .toMatch(/^Discovery failed: Connector error 401 in AWS\.DiscoverDevices: /);
    expect(await status.textContent()).toContain('Acme refused the access token');
    expect(await status.getAttribute('data-kind')).toBe('error');

    // The link itself is broken, with the reason, and offers to link again.
    await expect.poll(() => link.getAttribute('data-broken'), { timeout: 10_000 }).toBe('true');
    expect(await link.getAttribute('data-state')).toBe('REFRESH_TOKEN_EXPIRED');
    const reason = await link.locator('.assoc-reason').textContent();
    expect(reason).toMatch(
      /^Link broken: The vendor refused the access token in AWS DiscoverDevices HTTP 401 and refused the refresh token too - link the account again/,
    );
    // The failure stays on screen (later refreshes of the device list leave it).
    expect(await status.textContent()).toMatch(/^Discovery failed: Connector error 401/);
    expect(await link.getByRole('button', { name: 'Discover devices' }).count()).toBe(0);
    expect(await link.getByRole('button', { name: 'Link again' }).count()).toBe(1);
    // The report the reason came from is in the connector errors panel too.
    const report = page.locator('#errors .event[data-event-type="CONNECTOR_ERROR_REPORT"]');
    await expect.poll(() => report.count()).toBeGreaterThan(0);
    expect(await report.first().locator('.words').textContent()).toMatch(
      /^Connector error 401 in AWS\.DiscoverDevices/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-broken-link.png'), fullPage: true });
  }, 60_000);

  it('"Link again" goes through the vendor login, and the link discovers again', async () => {
    const link = page.locator(`.association[data-association="${ids.association}"]`);
    await link.getByRole('button', { name: 'Link again' }).click();
    await loginAtVendor(page, stack);
    const relinked = page.locator(`.association[data-association="${ids.association}"]`);
    await expect
      .poll(() => relinked.getAttribute('data-state'), { timeout: 15_000 })
      .toBe('ASSOCIATION_SUCCEEDED');
    expect(await relinked.getAttribute('data-broken')).toBeNull();
    await relinked.getByRole('button', { name: 'Discover devices' }).click();
    await expect
      .poll(() => page.locator('#things-status').textContent(), { timeout: 20_000 })
      .toBe('Discovery succeeded: 6 devices.');
    await expect
      .poll(() => page.locator('.thing[data-kind="fan"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
  }, 60_000);
});

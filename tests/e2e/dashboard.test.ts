import { join } from 'node:path';
import type { DevStack } from '@c2c-kit/cli';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, activeLinks, useBrowserStack } from './helpers/browser-stack.js';

// The customer's dashboard in a real browser (Debian's chromium driven by playwright-core): link
// an account through the vendor login page, discover, set the fan to High, press motion on the
// camera, and see both events in the live feed. Screenshots land in test-artifacts/.

let stack: DevStack;
let page: Page;
useBrowserStack('dash', (env) => ({ stack, page } = env));

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

describe('dashboard in chromium', () => {
  it('links an account through the vendor login page', async () => {
    await page.goto(stack.dashboardUrl);
    await page.locator('#end-user').selectOption('alice');
    await expect
      .poll(() => page.locator('#stream-state').textContent(), { timeout: 10_000 })
      .toBe('live');
    await shot('1-start');
    await page.getByRole('button', { name: 'Link vendor account' }).click();
    // The vendor's own login page (a different origin).
    await page.waitForURL(/\/oauth\/authorize/, { timeout: 10_000 });
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('alice-password');
    await shot('2-vendor-login');
    await page.getByRole('button', { name: 'Allow' }).click();
    // vendor → emulator callback → back to the dashboard.
    await page.waitForURL((url) => url.toString().startsWith(stack.dashboardUrl), {
      timeout: 15_000,
    });
    const linked = activeLinks(page);
    await expect.poll(() => linked.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await shot('3-linked');
  }, 60_000);

  it('discovers devices and shows them with their state', async () => {
    await activeLinks(page).first().getByRole('button', { name: 'Discover devices' }).click();
    await expect
      .poll(() => page.locator('.thing[data-kind="fan"]').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('.thing[data-kind="camera"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await shot('4-discovered');
  }, 60_000);

  it('sets the fan to High and sees the event in the feed', async () => {
    const fan = page.locator('.thing[data-kind="fan"]').first();
    await fan.locator('[data-control="fan-mode"]').selectOption('High');
    await fan.locator('[data-control="fan-set"]').click();
    await expect
      .poll(() => page.locator('#feed .words').allTextContents(), { timeout: 15_000 })
      .toContainEqual(expect.stringMatching(/FanMode → High/));
    await expect
      .poll(() => fan.locator('[data-prop="FanControl.FanMode"]').textContent(), {
        timeout: 10_000,
      })
      .toMatch(/High/);
    await shot('5-fan-high');
  }, 60_000);

  it('presses motion on the camera (vendor side) and sees it in the feed', async () => {
    const camera = page.locator('.thing[data-kind="camera"]').first();
    await camera.locator('[data-vendor-event="motion"]').click();
    await expect
      .poll(() => page.locator('#feed .words').allTextContents(), { timeout: 15_000 })
      .toContainEqual(expect.stringMatching(/· motion detected/));
    // Raw JSON is one click away.
    const entry = page.locator('#feed .event[data-event-type="DEVICE_EVENT"]').first();
    await entry.locator('summary').click();
    await expect.poll(() => entry.locator('pre').textContent()).toContain('"messageType"');
    await shot('6-motion');
  }, 60_000);

  it('unlinks the account: its devices are deregistered first, then the link is deleted', async () => {
    const link = activeLinks(page).first();
    const id = await link.getAttribute('data-association');
    await link.getByRole('button', { name: 'Unlink' }).click();
    await expect
      .poll(() => page.locator('#link-status').textContent(), { timeout: 15_000 })
      .toMatch(/^Unlinked; 6 devices deregistered\.$/);
    // The status line can come before the list's re-render: wait for the list, not the text.
    await expect.poll(() => page.locator(`.association[data-association="${id}"]`).count()).toBe(0);
    // The devices stay as managed things, no longer linked (UNASSOCIATED).
    const fan = page.locator('.thing[data-kind="fan"]').first();
    await expect
      .poll(() => fan.getAttribute('data-provisioning'), { timeout: 10_000 })
      .toBe('UNASSOCIATED');
    expect(await fan.locator('.kind').textContent()).toBe('Fan · not linked');
    await shot('7-unlinked');
  }, 60_000);
});

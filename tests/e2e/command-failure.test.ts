import { join } from 'node:path';
import type { DevStack } from '@c2c-kit/cli';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, activeLinks, loginAtVendor, useBrowserStack } from './helpers/browser-stack.js';

// A command that really fails, and why, in the dashboard. Nothing is injected: the customer jams
// the lock with the vendor-side button, then presses its command button. The vendor refuses (device_jammed),
// the reference connector answers DEVICE_COMMAND_RESPONSE 409 with the reason in Message, and the
// emulator reports it (DEVICE_COMMAND failed + CONNECTOR_ERROR_REPORT), relayed over SSE.

let stack: DevStack;
let page: Page;
useBrowserStack('command-failure', (env) => ({ stack, page } = env));

describe('a failed command in the dashboard (chromium)', () => {
  it("shows the vendor's reason for a refused lock command", async () => {
    await page.goto(stack.dashboardUrl);
    await page.locator('#end-user').selectOption('alice');
    await expect
      .poll(() => page.locator('#stream-state').textContent(), { timeout: 10_000 })
      .toBe('live');
    await page.getByRole('button', { name: 'Link vendor account' }).click();
    await loginAtVendor(page, stack);
    const linked = activeLinks(page);
    await expect.poll(() => linked.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await linked.first().getByRole('button', { name: 'Discover devices' }).click();
    const lock = page.locator('.thing[data-kind="lock"]').first();
    await expect.poll(() => lock.count(), { timeout: 20_000 }).toBeGreaterThan(0);

    await lock.locator('[data-vendor-event="jam"]').click();
    // The lock's one command button says what it will do (Lock or Unlock, as the state the jam
    // left reads); a jammed lock refuses either.
    await lock.locator('button[data-action$="Door"]').click();

    const failure = page.locator('#errors .event[data-event-type="CONNECTOR_ERROR_REPORT"]');
    await expect.poll(() => failure.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const words = await failure.first().locator('.words').textContent();
    expect(words).toMatch(/ · command \S+ failed \(409\): .*device_jammed lock lock-1 is jammed/);
    // The feed says the command failed too (DEVICE_COMMAND result).
    const command = page.locator('#feed .event[data-event-type="DEVICE_COMMAND"] .words');
    await expect
      .poll(() => command.allTextContents(), { timeout: 10_000 })
      .toContainEqual(expect.stringMatching(/command \S+ failed$/));
    await page.screenshot({
      path: join(ARTIFACTS, 'dashboard-command-failure.png'),
      fullPage: true,
    });
  }, 120_000);
});

import { join } from 'node:path';
import type { DevStack } from '@c2c-kit/cli';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, activeLinks, loginAtVendor, useBrowserStack } from './helpers/browser-stack.js';
import { call } from './helpers/customer.js';

// The dashboard as an end user reads it (chromium): values in words and units, not Matter
// numbers; the feed survives a reload; devices keep their order; controls show the current state.

let stack: DevStack;
let page: Page;
useBrowserStack('dash-state', (env) => ({ stack, page } = env));

/** A device card by kind (`light`, `lock`, `camera`); the demo has one of each. */
const card = (kind: string) => page.locator(`.thing[data-kind="${kind}"]`);
const prop = (kind: string, property: string) => card(kind).locator(`[data-prop="${property}"]`);
/** The device's name, as the feed names it. */
const nameOf = async (kind: string) => String(await card(kind).locator('.name').textContent());
const feedWords = () => page.locator('#feed .words').allTextContents();
const cardOrder = () =>
  page
    .locator('#things .thing')
    .evaluateAll((cards) =>
      cards.map((c) => `${c.querySelector('.name')?.textContent}|${c.getAttribute('data-thing')}`),
    );

async function waitLive(): Promise<void> {
  await expect
    .poll(() => page.locator('#stream-state').textContent(), { timeout: 10_000 })
    .toBe('live');
}

async function discoverAll(): Promise<void> {
  await page.locator('#things-status').evaluate((n) => {
    n.textContent = '';
  });
  await activeLinks(page).first().getByRole('button', { name: 'Discover devices' }).click();
  await expect
    .poll(() => page.locator('#things-status').textContent(), { timeout: 20_000 })
    .toBe('Discovery succeeded: 6 devices.');
  await expect.poll(() => page.locator('#things .thing').count(), { timeout: 10_000 }).toBe(6);
}

describe('dashboard values, history, order and controls', () => {
  let order: string[] = [];

  it('lists discovered devices by name, then id', async () => {
    await page.goto(stack.dashboardUrl);
    await page.locator('#end-user').selectOption('alice');
    await waitLive();
    await page.getByRole('button', { name: 'Link vendor account' }).click();
    await loginAtVendor(page, stack);
    const linked = activeLinks(page);
    await expect.poll(() => linked.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await waitLive();
    await discoverAll();
    order = await cardOrder();
    expect(order.map((o) => o.split('|')[0])).toEqual([
      'Back door sensor',
      'Desk lamp',
      'Front door camera',
      'Front door lock',
      'Hallway thermostat',
      'Living room fan',
    ]);
  }, 90_000);

  it('sets the brightness: words and percent on the card and in the feed, slider at the level', async () => {
    const light = card('light');
    // 79 of 254 is 31 %; the vendor keeps percent, so the level comes back as 79.
    await light.locator('[data-control="level"]').fill('79');
    await light.locator('[data-control="level-set"]').click();
    await expect
      .poll(() => prop('light', 'LevelControl.CurrentLevel').textContent(), { timeout: 15_000 })
      .toBe('Brightness 31 %');
    // The light turns on as it moves: `Desk lamp · turned on, Brightness 31 %`.
    const words = new RegExp(`^${await nameOf('light')} · .*Brightness 31 %$`);
    await expect.poll(feedWords, { timeout: 10_000 }).toContainEqual(expect.stringMatching(words));
    expect(await light.locator('[data-control="level"]').inputValue()).toBe('79');
  }, 60_000);

  it('the lock button says what it will do, and the state reads Locked / Unlocked', async () => {
    const toggle = card('lock').locator('[data-control="lock-toggle"]');
    // No state reported yet: the button offers Lock.
    expect(await toggle.textContent()).toBe('Lock');
    await toggle.click();
    await expect
      .poll(() => prop('lock', 'DoorLock.LockState').textContent(), { timeout: 15_000 })
      .toBe('Locked');
    await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toBe('Unlock');
    await toggle.click();
    await expect
      .poll(() => prop('lock', 'DoorLock.LockState').textContent(), { timeout: 15_000 })
      .toBe('Unlocked');
    await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toBe('Lock');
    await expect
      .poll(feedWords, { timeout: 10_000 })
      .toContain(`${await nameOf('lock')} · Unlocked`);
  }, 60_000);

  it('a vendor event reads in words: battery in percent, motion', async () => {
    const things = await call<{ Items?: { Name?: string; ConnectorDeviceId?: string }[] }>(
      stack,
      'ListManagedThings',
    );
    const name = await nameOf('camera');
    const camera = things.Items?.find((t) => t.Name === name)?.ConnectorDeviceId;
    expect(camera).toBeDefined();
    // 99 % is BatPercentRemaining 198 (half-percent units).
    await stack.triggerVendorEvent(String(camera), 'battery', { level: 99 });
    await expect
      .poll(() => prop('camera', 'PowerSource.BatPercentRemaining').textContent(), {
        timeout: 15_000,
      })
      .toBe('Battery 99 %');
    await expect
      .poll(feedWords, { timeout: 10_000 })
      .toContain(`${await nameOf('camera')} · Battery 99 %`);
    await card('camera').locator('[data-vendor-event="motion"]').click();
    await expect
      .poll(() => prop('camera', 'OccupancySensing.Occupancy').textContent(), { timeout: 15_000 })
      .toBe('Motion detected');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-state-words.png'), fullPage: true });
  }, 60_000);

  it('the fan-mode list follows the fan when its own button changes it; labels in words', async () => {
    const fan = card('fan');
    const mode = fan.locator('[data-control="fan-mode"]');
    expect(await mode.inputValue()).toBe('Off');
    // The fan's physical button cycles off → low → medium: the list follows each change.
    await fan.locator('[data-vendor-event="button"]').click();
    await expect.poll(() => mode.inputValue(), { timeout: 15_000 }).toBe('Low');
    await fan.locator('[data-vendor-event="button"]').click();
    await expect.poll(() => mode.inputValue(), { timeout: 15_000 }).toBe('Medium');
    // A choice the user is making is not overwritten by the next state change.
    await mode.selectOption('High');
    await fan.locator('[data-vendor-event="button"]').click();
    await expect
      .poll(() => prop('fan', 'FanControl.FanMode').textContent(), { timeout: 15_000 })
      .toBe('High');
    expect(await mode.inputValue()).toBe('High');
    // Property names read as words, the Matter name on hover.
    const label = fan.locator('dt[title="FanControl.FanMode"]');
    expect(await label.textContent()).toBe('Fan mode');
    expect(await card('lock').locator('dt[title="DoorLock.LockState"]').textContent()).toBe('Lock');
  }, 60_000);

  it('after a reload: the feed keeps its entries, the order and the controls hold', async () => {
    const before = await feedWords();
    await page.reload();
    await waitLive();
    await expect.poll(() => page.locator('#things .thing').count(), { timeout: 15_000 }).toBe(6);
    const [light, lock, camera] = [
      await nameOf('light'),
      await nameOf('lock'),
      await nameOf('camera'),
    ];
    const earlier = [
      `${light} · turned on, Brightness 31 %`,
      `${lock} · Unlocked`,
      `${camera} · motion detected`,
      `${camera} · Battery 99 %`,
    ];
    await expect.poll(feedWords, { timeout: 10_000 }).toEqual(expect.arrayContaining(earlier));
    // Everything the feed showed before; each entry as often as before (the replayed history is
    // not doubled by the live stream).
    const after = await feedWords();
    expect(after).toEqual(expect.arrayContaining(before));
    const count = (list: string[], words: string) => list.filter((w) => w === words).length;
    for (const words of earlier) expect(count(after, words)).toBe(count(before, words));
    // The slider starts at the light's level (its default position is 127), the lock says Lock.
    await expect
      .poll(() => card('light').locator('[data-control="level"]').inputValue(), {
        timeout: 10_000,
      })
      .toBe('79');
    expect(await card('lock').locator('[data-control="lock-toggle"]').textContent()).toBe('Lock');
    expect(await cardOrder()).toEqual(order);
    await page.screenshot({
      path: join(ARTIFACTS, 'dashboard-state-reloaded.png'),
      fullPage: true,
    });
  }, 60_000);

  it('a second discovery keeps the order', async () => {
    await discoverAll();
    expect(await cardOrder()).toEqual(order);
  }, 60_000);
});

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DevStack, type DevStackOptions, startDevStack } from '@c2c-kit/cli/stack';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's chromium, driven by playwright-core (no browser download). */
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots land here (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

export interface BrowserStack {
  readonly stack: DevStack;
  readonly browser: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/**
 * A dev stack on ephemeral ports (on `stackOptions.dataDir` and `vendorPort` when given: a
 * restart of an earlier stack) plus a headless chromium with a fresh profile. A missing browser is
 * a failed test with the fix in the message, never a silent skip. `extraArgs` are added to the
 * browser's command line (e.g. `--host-resolver-rules=…`).
 */
export async function startBrowserStack(
  name: string,
  extraArgs: readonly string[] = [],
  stackOptions: Pick<DevStackOptions, 'dataDir' | 'vendorPort'> = {},
): Promise<BrowserStack> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install it (apt-get install -y chromium; .ci/run does) to run the dashboard browser tests`,
    );
  }
  await mkdir(ARTIFACTS, { recursive: true });
  // A data directory the caller gives (an earlier start's) is the caller's to remove.
  const dataDir = stackOptions.dataDir ?? (await mkdtemp(join(tmpdir(), `c2c-${name}-`)));
  const profileDir = await mkdtemp(join(tmpdir(), 'c2c-chromium-'));
  const removeDirs = async () => {
    const ours = stackOptions.dataDir === undefined ? [profileDir, dataDir] : [profileDir];
    for (const dir of ours) await rm(dir, { recursive: true, force: true });
  };
  let stack: DevStack | undefined;
  try {
    stack = await startDevStack({
      dataDir,
      emulatorPort: 0,
      vendorPort: stackOptions.vendorPort ?? 0,
      dashboardPort: 0,
    });
    // A fresh profile directory per run (playwright passes it as --user-data-dir). The flags keep
    // chromium off the network: this machine's closed network refuses its background connections.
    const browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        ...extraArgs,
      ],
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const started = stack;
    return {
      stack: started,
      browser,
      page,
      async close() {
        await browser.close();
        await started.close();
        await removeDirs();
      },
    };
  } catch (error) {
    await stack?.close();
    await removeDirs();
    throw error;
  }
}

/**
 * For a test file: `startBrowserStack(name, extraArgs)` before its tests, handed to `started`
 * (which keeps what the tests use), and closed after them.
 */
export function useBrowserStack(
  name: string,
  started: (env: BrowserStack) => void,
  extraArgs: readonly string[] = [],
): void {
  let env: BrowserStack | undefined;
  beforeAll(async () => {
    env = await startBrowserStack(name, extraArgs);
    started(env);
  }, 90_000);
  afterAll(async () => {
    await env?.close();
  });
}

/**
 * The end user's part of account linking once the dashboard sent the browser to the vendor's
 * login page: signs in as `username`, allows, and waits to be back on the dashboard.
 */
export async function loginAtVendor(
  page: Page,
  stack: DevStack,
  username = 'alice',
  password = `${username}-password`,
): Promise<void> {
  await page.waitForURL(/\/oauth\/authorize/, { timeout: 10_000 });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.toString().startsWith(stack.dashboardUrl), {
    timeout: 15_000,
  });
}

/** The dashboard's account links in ASSOCIATION_SUCCEEDED, first linked first. */
export const activeLinks = (page: Page) =>
  page.locator('.association[data-state="ASSOCIATION_SUCCEEDED"]');

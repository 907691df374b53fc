import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DevStack, type DevStackOptions, startDevStack } from '@c2c-kit/cli';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

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

import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, tightenFile, writePrivateFile } from '@c2c-kit/local-guard';
import { VendorConfigError } from './errors.js';
import type { OAuthStore, PersistedToken } from './oauthStore.js';
import type { Simulation } from './simulation.js';

interface StateFileContent {
  version: 1;
  savedAt: string;
  tokens: PersistedToken[];
  devices: { deviceId: string; kind: string; online: boolean; state: unknown }[];
}

/**
 * Keeps OAuth tokens and device state in a JSON file, so a restarted vendor cloud still honours
 * the tokens managed integrations stored at account linking (`c2c dev` reusing its data dir).
 * Writes are debounced and atomic (temp file + rename), mode 0600 whatever the umask, in a
 * directory created 0700: the file holds bearer tokens.
 */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly store: OAuthStore,
    private readonly simulation: Simulation,
    private readonly debounceMs = 200,
  ) {}

  /** Loads the file if it exists. A corrupt file is a start-up error naming the file. */
  load(): { tokens: number; devices: number } {
    let text: string;
    try {
      // A file an older version wrote with a wider mode is ours: tighten it.
      tightenFile(this.path);
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { tokens: 0, devices: 0 };
      throw new VendorConfigError(
        'stateFile',
        `cannot read ${this.path}: ${(err as Error).message}`,
      );
    }
    let content: StateFileContent;
    try {
      content = JSON.parse(text) as StateFileContent;
    } catch {
      throw new VendorConfigError(
        'stateFile',
        `${this.path} is not valid JSON; delete it to start fresh`,
      );
    }
    if (
      content.version !== 1 ||
      !Array.isArray(content.tokens) ||
      !Array.isArray(content.devices)
    ) {
      throw new VendorConfigError(
        'stateFile',
        `${this.path} is not a vendor-cloud state file (version 1)`,
      );
    }
    return {
      tokens: this.store.restore(content.tokens),
      devices: this.simulation.restore(content.devices),
    };
  }

  /** Schedules a write; many changes in a burst produce one write. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes now (also used at shutdown). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const content: StateFileContent = {
      version: 1,
      savedAt: new Date().toISOString(),
      tokens: this.store.snapshot(),
      devices: this.simulation.snapshot(),
    };
    ensurePrivateDir(dirname(this.path));
    writePrivateFile(this.path, JSON.stringify(content));
  }
}

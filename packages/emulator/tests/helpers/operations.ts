import { readFileSync } from 'node:fs';
import type { RunningEmulator } from '../../src/index.js';
import { miClient } from './mi-client.js';

/** The operations packages/emulator/README.md lists under "Operations answered 501". */
export function notImplementedOperations(): Set<string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('### Operations answered 501');
  if (start === -1) throw new Error('README.md has no "### Operations answered 501" section');
  const section = readme.slice(start).split(/\n## /)[0] ?? '';
  return new Set(
    [...section.matchAll(/`([A-Z][A-Za-z]+)`/g)]
      .map((m) => m[1] as string)
      .filter((name) => !name.endsWith('Exception')),
  );
}

/** A managed-integrations client signed with the running emulator's own default key pair. */
export function ownClient(emu: RunningEmulator): ReturnType<typeof miClient> {
  const credentials = emu.app.emulatorConfig.credentials[0];
  if (credentials === undefined) throw new Error('the emulator has no credentials');
  return miClient(emu.url, credentials);
}

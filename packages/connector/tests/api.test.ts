import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('public API', () => {
  it('every exported error has a stable code, and the README error table lists exactly those', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = new Map(
      [...readme.matchAll(/^\|\s*`(\w+Error)`\s*\|\s*(?:`(C2C_[A-Z_]+)`|\(base\))\s*\|$/gm)].map(
        (m) => [m[1], m[2]],
      ),
    );
    const exported = Object.entries(api).filter(
      ([name, value]) =>
        typeof value === 'function' && name.endsWith('Error') && value.prototype instanceof Error,
    );
    expect(exported.length).toBeGreaterThan(5);
    for (const [name, Ctor] of exported) {
      expect(table.has(name), `${name} missing from the README error table`).toBe(true);
      if (name === 'ConnectorError') continue;
      // Construct with placeholder arguments of the right shape just to read the code.
      const args: Record<string, unknown[]> = {
        ConnectorValidationError: ['x', ['issue']],
        WebhookVerificationError: [401, 'reason'],
        PiiInDeviceIdError: ['e-mail address', 'ConnectorDeviceId'],
        VendorCallbackError: ['resolveUser', new Error('x')],
        ConnectorNetworkError: ['x', 1],
      };
      const instance = new (Ctor as new (...a: unknown[]) => { code: string })(
        ...(args[name] ?? ['x']),
      );
      expect(instance.code).toBe(table.get(name));
    }
    expect([...table.keys()].sort()).toEqual(exported.map(([n]) => n).sort());
  });

  it('exports the documented entry points', () => {
    for (const name of [
      'createConnector',
      'ConnectorEventsClient',
      'resolveConnectorId',
      'standardWebhooks',
      'stripeStyleWebhooks',
      'githubStyleWebhooks',
      'defineTranslator',
      'SqsWorkQueue',
      'InProcessWorkQueue',
      'MemoryIdempotencyStore',
      'runOnce',
      'MemoryOutbox',
      'SqsOutbox',
      'replayOutbox',
      'createJsonLogger',
      'deviceEvent',
      'deviceDiscoveryEvent',
      'deviceDiscoveryEvents',
      'commandResponseEvents',
      'commandFailureEvent',
      'wireMessage',
      'toDeviceEvents',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('the README example is the example file, under 60 lines', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(
      new URL('../example/acme-fan-connector.ts', import.meta.url),
      'utf8',
    );
    const block = /`example\/acme-fan-connector\.ts`[^\n]*\n\n```ts\n([\s\S]*?)```\n/.exec(readme);
    expect(block?.[1]).toBe(example);
    expect(example.trimEnd().split('\n').length).toBeLessThan(60);
  });
});

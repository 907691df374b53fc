import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LambdaHost, LambdaServiceError } from '../src/services/lambda/index.js';

// The programmatic host on its own (no HTTP), as the core and tools use it.

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'c2c-host-'));

const lines = (file: string): Array<{ pid: number; event: Record<string, unknown> }> => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('LambdaHost', () => {
  it('runs concurrent invocations on up to maxWorkersPerFunction workers', async () => {
    const host = new LambdaHost({ maxWorkersPerFunction: 2 });
    const out = join(dir, 'concurrent.jsonl');
    try {
      host.registerFunction({
        name: 'rec',
        handler: fixture('record.mjs'),
        environment: { OUTPUT_FILE: out },
      });
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => host.invoke('rec', JSON.stringify({ i, ms: 100 }))),
      );
      expect(results.every((r) => r.statusCode === 200 && r.functionError === undefined)).toBe(
        true,
      );
      const pids = new Set(
        results.map((r) => (JSON.parse(r.payload.toString()) as { pid: number }).pid),
      );
      expect(pids.size).toBeLessThanOrEqual(2);
      expect(lines(out)).toHaveLength(5);
    } finally {
      await host.close();
    }
  });

  it('answers TooManyRequestsException when workers and queue are full', async () => {
    const host = new LambdaHost({ maxWorkersPerFunction: 1, maxQueuedPerFunction: 1 });
    try {
      host.registerFunction({ name: 'slow', handler: fixture('slow.mjs'), timeoutSeconds: 5 });
      const running = host.invoke('slow', '{"ms":300}');
      const queued = host.invoke('slow', '{"ms":1}');
      const rejected = await host.invoke('slow', '{"ms":1}').catch((e: unknown) => e);
      expect(rejected).toBeInstanceOf(LambdaServiceError);
      expect(rejected).toMatchObject({ code: 'TooManyRequestsException', statusCode: 429 });
      expect((await running).functionError).toBeUndefined();
      expect((await queued).functionError).toBeUndefined();
    } finally {
      await host.close();
    }
  });

  it('lets an invocation in flight finish when the function is updated; the next gets the update', async () => {
    const host = new LambdaHost();
    try {
      const register = (version: string) =>
        host.registerFunction({
          name: 'slow-env',
          handler: fixture('slow-env.mjs'),
          timeoutSeconds: 10,
          environment: { VERSION: version },
        });
      register('1');
      const running = host.invoke('slow-env', '{"ms":600}');
      await new Promise((r) => setTimeout(r, 100));
      register('2');
      const after = await host.invoke('slow-env', '{"ms":0}');
      const before = await running;
      // Lambda does not stop a running invocation on UpdateFunctionConfiguration.
      expect(before.functionError).toBeUndefined();
      const was = JSON.parse(before.payload.toString()) as { version: string; pid: number };
      const now = JSON.parse(after.payload.toString()) as { version: string; pid: number };
      expect(was.version).toBe('1');
      expect(now.version).toBe('2');
      expect(now.pid).not.toBe(was.pid);
    } finally {
      await host.close();
    }
  });

  it('retries a failed Event invocation twice, like Lambda', async () => {
    const host = new LambdaHost({ asyncRetryDelaysMs: [20, 20] });
    const out = join(dir, 'async.jsonl');
    try {
      host.registerFunction({
        name: 'rec',
        handler: fixture('record.mjs'),
        environment: { OUTPUT_FILE: out },
      });
      const r = await host.invoke('rec', JSON.stringify({ fail: true }), {
        invocationType: 'Event',
      });
      expect(r.statusCode).toBe(202);
      const deadline = Date.now() + 10_000;
      while (lines(out).length < 3 && Date.now() < deadline)
        await new Promise((res) => setTimeout(res, 50));
      await new Promise((res) => setTimeout(res, 200));
      expect(lines(out)).toHaveLength(3);
    } finally {
      await host.close();
    }
  });

  it('re-registering a function restarts its workers with the new configuration', async () => {
    const host = new LambdaHost();
    const out = join(dir, 'reregister.jsonl');
    try {
      host.registerFunction({
        name: 'rec',
        handler: fixture('record.mjs'),
        environment: { OUTPUT_FILE: out },
      });
      const before = JSON.parse((await host.invoke('rec', '{}')).payload.toString()) as {
        pid: number;
        version: string;
      };
      host.registerFunction({
        name: 'rec',
        handler: fixture('record.mjs'),
        environment: { OUTPUT_FILE: out, CODE_VERSION: '2' },
      });
      const after = JSON.parse((await host.invoke('rec', '{}')).payload.toString()) as {
        pid: number;
        version: string;
      };
      expect(before.version).toBe('1');
      expect(after.version).toBe('2');
      expect(after.pid).not.toBe(before.pid);
    } finally {
      await host.close();
    }
  });

  it('stops idle workers after idleTimeoutMs; the next invocation starts a new one', async () => {
    const host = new LambdaHost({ idleTimeoutMs: 50 });
    const out = join(dir, 'idle.jsonl');
    try {
      host.registerFunction({
        name: 'rec',
        handler: fixture('record.mjs'),
        environment: { OUTPUT_FILE: out },
      });
      const first = JSON.parse((await host.invoke('rec', '{}')).payload.toString()) as {
        pid: number;
      };
      await new Promise((r) => setTimeout(r, 400));
      const second = JSON.parse((await host.invoke('rec', '{}')).payload.toString()) as {
        pid: number;
      };
      expect(second.pid).not.toBe(first.pid);
    } finally {
      await host.close();
    }
  });

  it('reports a missing export and an unloadable module as Lambda runtime errors', async () => {
    const host = new LambdaHost();
    try {
      host.registerFunction({
        name: 'noexport',
        handler: fixture('echo.mjs'),
        exportName: 'missing',
      });
      const r = await host.invoke('noexport', '{}');
      expect(r.functionError).toBe('Unhandled');
      expect(JSON.parse(r.payload.toString())).toMatchObject({
        errorType: 'Runtime.HandlerNotFound',
      });
      expect(host.getFunction('ghost')).toBeUndefined();
      await expect(host.invoke('ghost', '{}')).rejects.toMatchObject({
        code: 'ResourceNotFoundException',
      });
    } finally {
      await host.close();
    }
    await expect(host.invoke('noexport', '{}')).rejects.toBeInstanceOf(LambdaServiceError);
  });
});

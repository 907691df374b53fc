import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { useEmulatorWithSdkClient } from '@c2c-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FunctionJournal, tokenFingerprint } from '../src/services/lambda/journal.js';

// What a function did, read over HTTP by a tool that did not start it (`c2c test --deployed`):
// its invocations (tokens fingerprinted) and its output lines, paged by sequence number.

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

const aws = useEmulatorWithSdkClient((config) => new LambdaClient(config));

type Journal<T> = { Items: T[]; Seq: number };
type Invocation = {
  seq: number;
  requestId: string;
  startedAt: number;
  durationMs: number;
  event: { header?: { auth?: { token?: string } }; a?: number };
  outcome: { ok: boolean; payload?: string; error?: { errorType?: string } };
};

async function read<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${aws.emu.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

const invoke = (name: string, payload: unknown) =>
  aws.client.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));

beforeAll(() => {
  aws.emu.app.lambdaHost.registerFunction({ name: 'journal-echo', handler: fixture('echo.mjs') });
  aws.emu.app.lambdaHost.registerFunction({ name: 'journal-fail', handler: fixture('fail.mjs') });
});

describe('GET /_local/functions/:name/invocations and /logs', () => {
  it('lists each invocation with its event, duration and reply; tokens only as fingerprints', async () => {
    // Prepare
    const mark = (await read<Journal<Invocation>>('/_local/functions/journal-echo/invocations'))
      .body.Seq;
    const token = 'vendor-access-token-0123456789';
    // Act
    const t0 = Date.now();
    await invoke('journal-echo', { header: { auth: { type: 'OAuth2.0', token } }, a: 1 });
    await invoke('journal-echo', { a: 2 });
    const { status, body } = await read<Journal<Invocation>>(
      `/_local/functions/journal-echo/invocations?after=${mark}`,
    );
    // Assess
    expect(status).toBe(200);
    expect(body.Items.map((i) => i.event.a)).toEqual([1, 2]);
    const [first] = body.Items as [Invocation];
    expect(first.event.header?.auth?.token).toBe(tokenFingerprint(token));
    // (The echo fixture's own reply repeats it: what a function returns is its own business.)
    expect(JSON.stringify(first.event)).not.toContain(token);
    expect(first.startedAt).toBeGreaterThanOrEqual(t0 - 5);
    expect(first.durationMs).toBeGreaterThan(0);
    expect(first.outcome.ok).toBe(true);
    expect(JSON.parse(first.outcome.payload as string).event.a).toBe(1);
    expect(body.Seq).toBeGreaterThanOrEqual((body.Items[1] as Invocation).seq);
  });

  it('pages forward with after and limit', async () => {
    const mark = (await read<Journal<Invocation>>('/_local/functions/journal-echo/invocations'))
      .body.Seq;
    for (const a of [10, 11, 12]) await invoke('journal-echo', { a });
    const page1 = await read<Journal<Invocation>>(
      `/_local/functions/journal-echo/invocations?after=${mark}&limit=2`,
    );
    expect(page1.body.Items.map((i) => i.event.a)).toEqual([10, 11]);
    const last = (page1.body.Items[1] as Invocation).seq;
    const page2 = await read<Journal<Invocation>>(
      `/_local/functions/journal-echo/invocations?after=${last}`,
    );
    expect(page2.body.Items.map((i) => i.event.a)).toEqual([12]);
  });

  it("keeps a failed invocation's Lambda error, and the function's lines with Lambda's frame", async () => {
    const mark = (await read<Journal<Invocation>>('/_local/functions/journal-fail/logs')).body.Seq;
    await invoke('journal-fail', { boom: true });
    const calls = await read<Journal<Invocation>>(
      `/_local/functions/journal-fail/invocations?after=${mark}`,
    );
    expect(calls.body.Items).toHaveLength(1);
    expect(calls.body.Items[0]?.outcome.ok).toBe(false);
    expect(calls.body.Items[0]?.outcome.error?.errorType).toBeTypeOf('string');
    const logs = await read<Journal<{ line: string; requestId?: string }>>(
      `/_local/functions/journal-fail/logs?after=${mark}`,
    );
    const lines = logs.body.Items.map((l) => l.line);
    expect(lines[0]).toMatch(/^START RequestId: /);
    expect(lines.some((l) => l.startsWith('REPORT RequestId: '))).toBe(true);
    expect(logs.body.Items.every((l) => l.requestId === calls.body.Items[0]?.requestId)).toBe(true);
  });

  it('answers 404 for an unknown function and 400 for a bad window, never 5xx', async () => {
    expect((await read('/_local/functions/nope/invocations')).status).toBe(404);
    expect((await read('/_local/functions/nope/logs')).status).toBe(404);
    for (const query of ['after=-1', 'after=x', 'limit=0', 'limit=1001', 'after=1e3']) {
      const r = await read<{ message?: string; Message?: string }>(
        `/_local/functions/journal-echo/invocations?${query}`,
      );
      expect(r.status, query).toBe(400);
    }
    const byArn = await read<Journal<Invocation>>(
      `/_local/functions/${encodeURIComponent('arn:aws:lambda:us-east-1:111122223333:function:journal-echo')}/invocations?limit=1`,
    );
    expect(byArn.status).toBe(200);
  });
});

describe('FunctionJournal bounds', () => {
  const record = (n: number, size = 10) => ({
    functionName: 'f',
    functionArn: 'arn:f',
    version: '$LATEST',
    requestId: `r${n}`,
    event: JSON.stringify({ n, pad: 'x'.repeat(size) }),
    durationMs: 1,
    outcome: { ok: true as const, payload: '{}' },
  });

  it('keeps the newest invocations and lines per function', () => {
    const journal = new FunctionJournal({ invocations: 3, lines: 2 });
    for (let n = 0; n < 5; n += 1) {
      journal.recordInvocation('arn:f', record(n));
      journal.recordLine('arn:f', `line ${n}`);
    }
    expect(journal.invocations('arn:f', 0, 100).map((i) => i.requestId)).toEqual([
      'r2',
      'r3',
      'r4',
    ]);
    expect(journal.lines('arn:f', 0, 100).map((l) => l.line)).toEqual(['line 3', 'line 4']);
  });

  it('drops the oldest invocations beyond its text budget, and the least recent function', () => {
    const journal = new FunctionJournal({ chars: 1000, functions: 2 });
    for (let n = 0; n < 5; n += 1) journal.recordInvocation('arn:f', record(n, 300));
    expect(journal.invocations('arn:f', 0, 100).length).toBeLessThan(5);
    expect(journal.invocations('arn:f', 0, 100).at(-1)?.requestId).toBe('r4');
    journal.recordLine('arn:g', 'g');
    journal.recordLine('arn:h', 'h');
    expect(journal.invocations('arn:f', 0, 100)).toEqual([]);
    expect(journal.lines('arn:h', 0, 100)).toHaveLength(1);
  });
});

import type { InvocationRecord } from '@c2c-kit/emulator';
import { describe, expect, it } from 'vitest';
import { ConnectorLog, connectorLine, summarise } from '../src/dev/logs.js';

// The connector's log as `c2c dev` prints it, fed exactly what the emulator's Lambda host hands
// its observer: one line per invocation with what it was and how it ended, the connector's own
// lines under it at their level, secrets masked. (The bin tests see the same through a process;
// these cover every kind of invocation and line.)

const FN = 'my-connector';

function record(event: unknown, outcome: InvocationRecord['outcome'], id = 'req-0001-aaaa') {
  return {
    functionName: FN,
    functionArn: `arn:aws:lambda:us-east-1:111122223333:function:${FN}`,
    version: '$LATEST',
    requestId: id,
    event: JSON.stringify(event),
    durationMs: 12.4,
    outcome,
  } satisfies InvocationRecord;
}

const ok = (payload: unknown) => ({ ok: true as const, payload: JSON.stringify(payload) });
const invoke = (operationName: string, connectorDeviceId?: string) => ({
  header: { auth: { token: 'tok' } },
  payload: { operationName, ...(connectorDeviceId ? { connectorDeviceId } : {}) },
});

describe('summarise: what an invocation was and how it ended', () => {
  it('a service operation, with the device it names and its response code', () => {
    const s = summarise(
      record(
        invoke('AWS.SendCommand', 'fan-1'),
        ok({ header: { responseCode: 200 }, payload: { responseMessage: 'Command accepted.' } }),
      ),
    );
    expect(s).toEqual({
      level: 'info',
      what: 'AWS.SendCommand fan-1',
      outcome: '200 Command accepted.',
    });
    expect(
      summarise(record(invoke('AWS.ActivateUser'), ok({ header: { responseCode: 401 } }))),
    ).toEqual({ level: 'warn', what: 'AWS.ActivateUser', outcome: '401' });
    expect(
      summarise(record(invoke('AWS.DiscoverDevices'), ok({ header: { responseCode: 503 } }))).level,
    ).toBe('error');
  });

  it('a webhook on the Function URL, with what the connector said and how many events', () => {
    const event = { requestContext: { http: { method: 'POST' } }, rawPath: '/webhooks/acme' };
    expect(
      summarise(
        record(
          event,
          ok({ statusCode: 202, body: JSON.stringify({ status: 'accepted', events: 3 }) }),
        ),
      ),
    ).toEqual({
      level: 'info',
      what: 'webhook POST /webhooks/acme',
      outcome: '202 accepted (3 event(s))',
    });
    expect(
      summarise(
        record(event, ok({ statusCode: 401, body: JSON.stringify({ error: 'bad signature' }) })),
      ),
    ).toMatchObject({ level: 'warn', outcome: '401 bad signature' });
    // A body that is not JSON still gives the status.
    expect(
      summarise(
        record(
          { requestContext: { http: { method: 'GET' } } },
          ok({ statusCode: 500, body: '<html>' }),
        ),
      ),
    ).toEqual({
      level: 'error',
      what: 'webhook GET /',
      outcome: '500',
    });
  });

  it('a work-queue batch and an outbox batch, with their failures', () => {
    const batch = (queue: string, kinds: string[]) => ({
      Records: kinds.map((kind) => ({
        eventSourceARN: `arn:aws:sqs:us-east-1:111122223333:${queue}`,
        body: JSON.stringify({ kind }),
      })),
    });
    expect(
      summarise(
        record(
          batch('acme-work', ['discovery', 'command', 'command']),
          ok({ batchItemFailures: [] }),
        ),
      ),
    ).toEqual({ level: 'info', what: 'work: 3 items (discovery, command)', outcome: 'done' });
    expect(
      summarise(
        record(
          batch('acme-outbox.fifo', ['event']),
          ok({ batchItemFailures: [{ itemIdentifier: 'm1' }] }),
        ),
      ),
    ).toEqual({
      level: 'warn',
      what: 'outbox: 1 item (event)',
      outcome: '1 of 1 failed; SQS redelivers them',
    });
    // Bodies without a kind, a record without a queue ARN.
    expect(summarise(record({ Records: [{ body: 'x' }] }, ok(null))).what).toBe('work: 1 item');
  });

  it('a thrown error: its type, message and where it was thrown', () => {
    const s = summarise(
      record(invoke('AWS.DeactivateUser'), {
        ok: false,
        error: {
          errorType: 'TypeError',
          errorMessage: 'x is undefined',
          trace: [
            'TypeError: x is undefined',
            '    at deactivate (index.mjs:10:3)',
            '    at run (index.mjs:20:1)',
          ],
        },
      }),
    );
    expect(s).toEqual({
      level: 'error',
      what: 'AWS.DeactivateUser',
      outcome: 'TypeError: x is undefined',
      detail: ['at deactivate (index.mjs:10:3)', 'at run (index.mjs:20:1)'],
    });
    expect(
      summarise(
        record('not json', {
          ok: false,
          error: { errorType: 'Runtime.ImportModuleError', errorMessage: 'gone' },
        }),
      ),
    ).toMatchObject({ what: 'invoke', detail: [] });
  });

  it('anything else is a plain invoke that is done', () => {
    expect(summarise(record({ hello: 1 }, ok({ anything: true })))).toEqual({
      level: 'info',
      what: 'invoke',
      outcome: 'done',
    });
  });
});

describe('connectorLine: one line the connector printed', () => {
  it('a JSON log line: level, message, then fields; errors with their causes', () => {
    const cause = { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' };
    const line = connectorLine(
      JSON.stringify({
        time: 't',
        level: 'error',
        message: 'vendor call failed',
        requestId: 'r',
        device: 'fan-1',
        note: 'two words',
        err: { name: 'VendorError', message: 'upstream 502', cause },
        attempts: 3,
      }),
    );
    expect(line.level).toBe('error');
    expect(line.text).toBe(
      'error vendor call failed  device=fan-1 note="two words" err="VendorError: upstream 502 ← caused by Error: socket hang up (ECONNRESET)" attempts=3',
    );
    // An unknown level reads as info.
    expect(connectorLine(JSON.stringify({ level: 'loud', message: 'hi' }))).toEqual({
      level: 'info',
      text: 'info  hi',
    });
  });

  it("a console line through Lambda's runtime, Node's warnings as warnings", () => {
    expect(connectorLine('2026-01-01T00:00:00Z\treq\tWARN\tlow battery')).toEqual({
      level: 'warn',
      text: 'warn  low battery',
    });
    expect(connectorLine('t\treq\tTRACE\tdeep')).toEqual({ level: 'debug', text: 'debug deep' });
    expect(connectorLine('t\treq\tERROR\t(node:42) ExperimentalWarning: fetch').level).toBe('warn');
  });

  it('plain text continues the line before it', () => {
    expect(connectorLine('    at foo (bar.js:1:1)')).toEqual({
      level: 'info',
      text: '          at foo (bar.js:1:1)',
      continues: true,
    });
  });
});

describe('ConnectorLog', () => {
  function view(options: Partial<ConstructorParameters<typeof ConnectorLog>[0]> = {}) {
    const out: string[] = [];
    const log = new ConnectorLog({ write: (l) => out.push(l), ...options });
    log.release();
    return { log, out };
  }

  it("prints each invocation once it ends, with the connector's lines under it", () => {
    const { log, out } = view();
    log.observer.onLog?.(FN, 'START RequestId: req-0001-aaaa Version: $LATEST', 'req-0001-aaaa');
    log.observer.onLog?.(
      FN,
      JSON.stringify({ level: 'info', message: 'linking' }),
      'req-0001-aaaa',
    );
    log.observer.onLog?.(FN, JSON.stringify({ level: 'debug', message: 'noise' }), 'req-0001-aaaa');
    expect(out).toEqual([]);
    log.observer.onInvocation?.(
      record(invoke('AWS.ActivateUser'), ok({ header: { responseCode: 200 }, payload: {} })),
    );
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}AWS\.ActivateUser +200 {2}\(12 ms, req req-0001\)$/,
    );
    expect(out[1]).toBe('    info  linking');
  });

  it('an invocation below the level is left out unless one of its lines is worse', () => {
    const { log, out } = view({ level: 'warn' });
    log.observer.onInvocation?.(
      record(invoke('AWS.DiscoverDevices'), ok({ header: { responseCode: 200 } }), 'r1'),
    );
    expect(out).toEqual([]);
    log.observer.onLog?.(FN, 't\tr2\tERROR\tvendor down', 'r2');
    log.observer.onLog?.(FN, '    at call (x.js:1:1)', 'r2');
    log.observer.onInvocation?.(
      record(invoke('AWS.DiscoverDevices'), ok({ header: { responseCode: 200 } }), 'r2'),
    );
    expect(out.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      `INFO  ${'AWS.DiscoverDevices'.padEnd(27)} 200  (12 ms, req r2)`,
      '    error vendor down',
      // A continuation keeps its own indentation, under the line it continues.
      `    ${' '.repeat(6)}    at call (x.js:1:1)`,
    ]);
  });

  it('errors show where they were thrown; lines outside an invocation print at once', () => {
    const { log, out } = view();
    log.observer.onInvocation?.(
      record(invoke('AWS.SendCommand'), {
        ok: false,
        error: {
          errorType: 'Error',
          errorMessage: 'boom',
          trace: ['Error: boom', '    at a (i.mjs:1:1)'],
        },
      }),
    );
    expect(out[0]).toMatch(/ ERROR AWS\.SendCommand +Error: boom /);
    expect(out[1]).toBe('      at a (i.mjs:1:1)');
    log.observer.onLog?.(FN, JSON.stringify({ level: 'warn', message: 'init slow' }), undefined);
    log.observer.onLog?.(FN, JSON.stringify({ level: 'debug', message: 'hidden' }), undefined);
    expect(out.slice(2)).toEqual(['    warn  init slow']);
  });

  it('--json prints raw lines and one JSON object per invocation', () => {
    const { log, out } = view({ json: true });
    log.observer.onLog?.(FN, '{"level":"info","message":"x"}', 'r1');
    log.observer.onLog?.(FN, 'END RequestId: r1', 'r1');
    log.observer.onInvocation?.(
      record(invoke('AWS.ActivateUser'), ok({ header: { responseCode: 200 } }), 'r1'),
    );
    expect(out[0]).toBe('{"level":"info","message":"x"}');
    expect(JSON.parse(out[1] as string)).toMatchObject({
      type: 'invocation',
      level: 'info',
      function: FN,
      requestId: 'r1',
      operation: 'AWS.ActivateUser',
      outcome: '200',
      durationMs: 12,
    });
    expect(out).toHaveLength(2);
  });

  it('masks secrets everywhere, holds lines until released, and flushes unfinished ones', () => {
    const out: string[] = [];
    const log = new ConnectorLog({
      write: (l) => out.push(l),
      secrets: ['short', 'whsec_0123456789'],
    });
    log.addSecrets(['client-secret-abc', 'whsec_0123456789']);
    log.observer.onLog?.(FN, 'token whsec_0123456789 and client-secret-abc, short', undefined);
    expect(out).toEqual([]);
    log.release();
    expect(out).toEqual(['          token [REDACTED] and [REDACTED], short']);
    log.observer.onLog?.(
      FN,
      JSON.stringify({ level: 'info', message: 'still running' }),
      'req-9999-zzzz',
    );
    log.flush();
    expect(out.slice(1).map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'INFO  (unfinished invocation, req req-9999)',
      '    info  still running',
    ]);
    log.flush();
    expect(out).toHaveLength(3);
  });
});

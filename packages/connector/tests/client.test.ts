import { until } from '@c2c-kit/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyHttpError, parseRetryAfter, RetryStrategy } from '../src/client/retry.js';
import {
  ConnectorEventsClient,
  ManagedIntegrationsClient,
  type SignedClient,
  type SignedClientOptions,
} from '../src/client.js';
import {
  ConnectorNetworkError,
  ConnectorValidationError,
  RetryBudgetExhaustedError,
} from '../src/errors.js';
import type { Logger } from '../src/log/logger.js';
import { ServiceException } from '../src/protocol.js';
import { manualClock } from '../src/testing.js';
import { json, startSigV4Server, TEST_CREDENTIALS } from './helpers/sigv4Server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function setup<C extends SignedClient = ConnectorEventsClient>(
  responder: Parameters<typeof startSigV4Server>[0],
  extra = {},
  Client: new (options: SignedClientOptions) => C = ConnectorEventsClient as never,
) {
  const server = await startSigV4Server(responder);
  const client = new Client({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: TEST_CREDENTIALS,
    random: () => 0, // no jitter wait in tests
    ...extra,
  });
  closers.push(server.close, () => client.close());
  return { server, client };
}

/**
 * A client on a manual clock whose retry waits are seen as they start: the client logs
 * `retrying` in the same tick as it sets the wait's timer.
 */
async function setupWaiting(responder: Parameters<typeof startSigV4Server>[0]) {
  const clock = manualClock();
  const retries: Array<Record<string, unknown>> = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message, context = {}) => {
      if (message === 'retrying') retries.push(context);
    },
    error() {},
    child: () => logger,
  };
  const { server, client } = await setup(responder, { clock, logger });
  /** Drains until the client waits before retry `n` (1-based); returns the wait, ms. */
  const waiting = async (n: number) =>
    (await until(`retry ${n} to wait`, () => retries[n - 1])).delayMs as number;
  return { server, client, clock, waiting };
}

const EVENT = {
  ConnectorId: 'conn-1',
  Operation: 'DEVICE_EVENT' as const,
  OperationVersion: '1.0',
  StatusCode: 200,
  ConnectorDeviceId: 'fan-42',
  UserId: 'user-1',
  MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] },
};

describe('ConnectorEventsClient', () => {
  it('sends a correctly signed SendConnectorEvent and returns the 202 body', async () => {
    // Prepare
    const { server, client } = await setup((_req, res) =>
      json(res, 202, { ConnectorId: 'conn-1' }),
    );
    // Act
    const out = await client.sendConnectorEvent(EVENT);
    // Assess
    expect(out).toEqual({ ConnectorId: 'conn-1' });
    const [req] = server.received;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/connector-event/conn-1');
    expect(req?.signatureValid).toBe(true);
    expect(req?.headers.authorization).toMatch(/\/us-east-1\/iotmanagedintegrations\/aws4_request/);
    const body = JSON.parse(req?.body ?? '{}');
    expect(body.ConnectorId).toBeUndefined(); // path label, not body
    expect(body.MatterEndpoint.clusters[0].id).toBe('0x0202');
  });

  it('encodes query members for ListCloudConnectors and path labels for GetCloudConnector', async () => {
    const { server, client } = await setup((req, res) =>
      json(
        res,
        200,
        req.url.startsWith('/cloud-connectors?')
          ? { Items: [] }
          : { Name: 'x', EndpointConfig: {} },
      ),
    );
    await client.listCloudConnectors({
      LambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:f',
    });
    await client.getCloudConnector({ Identifier: 'abc_1' });
    expect(server.received[0]?.url).toBe(
      '/cloud-connectors?LambdaArn=arn%3Aaws%3Alambda%3Aus-east-1%3A111122223333%3Afunction%3Af',
    );
    expect(server.received[1]?.url).toBe('/cloud-connectors/abc_1');
    expect(server.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('retries throttling and 5xx, then succeeds, re-signing each attempt', async () => {
    let n = 0;
    const { server, client } = await setup((_req, res) => {
      n++;
      if (n === 1)
        return json(
          res,
          429,
          { Message: 'slow down' },
          { 'x-amzn-errortype': 'ThrottlingException' },
        );
      if (n === 2)
        return json(
          res,
          503,
          { Message: 'busy' },
          { 'x-amzn-errortype': 'ServiceUnavailableException' },
        );
      return json(res, 202, { ConnectorId: 'conn-1' });
    });
    await expect(client.sendConnectorEvent(EVENT)).resolves.toEqual({ ConnectorId: 'conn-1' });
    expect(server.received).toHaveLength(3);
    expect(client.retryTokens).toBe(500);
  });

  it('does not retry a 400 and surfaces the service error name', async () => {
    const { server, client } = await setup((_req, res) =>
      json(
        res,
        400,
        { Message: 'MatterEndpoint.id: bad' },
        { 'x-amzn-errortype': 'ValidationException:http://x' },
      ),
    );
    const error = await client.sendConnectorEvent(EVENT).catch((e) => e);
    expect(error).toBeInstanceOf(ServiceException);
    expect(error.name).toBe('ValidationException');
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe('MatterEndpoint.id: bad');
    expect(server.received).toHaveLength(1);
  });

  it('validates against the model before sending: bad input names the field path and is never sent', async () => {
    const { server, client } = await setup((_req, res) => json(res, 202, {}));
    const error = await client
      .sendConnectorEvent({ ...EVENT, ConnectorDeviceId: 'fan 42!', StatusCode: 999 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorValidationError);
    expect(error.message).toContain('ConnectorDeviceId');
    expect(error.message).toContain('StatusCode');
    expect(server.received).toHaveLength(0);
  });

  it('normalises the seed example attributes array form before sending', async () => {
    const { server, client } = await setup((_req, res) =>
      json(res, 202, { ConnectorId: 'conn-1' }),
    );
    await client.sendConnectorEvent({
      ...EVENT,
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: [{ '0x0000': '3' }] }] },
    });
    expect(
      JSON.parse(server.received[0]?.body ?? '{}').MatterEndpoint.clusters[0].attributes,
    ).toEqual({
      '0x0000': '3',
    });
  });

  it('gives up after maxAttempts with the last service error', async () => {
    const { server, client } = await setup((_req, res) =>
      json(res, 500, { Message: 'boom' }, { 'x-amzn-errortype': 'InternalServerException' }),
    );
    const error = await client.sendConnectorEvent(EVENT).catch((e) => e);
    expect(error.name).toBe('InternalServerException');
    expect(server.received).toHaveLength(3);
  });

  it('takes its attempts from AWS_MAX_ATTEMPTS, as the AWS SDKs do; the option wins', async () => {
    const failing = (_req: unknown, res: Parameters<typeof json>[0]) =>
      json(res, 500, { Message: 'boom' }, { 'x-amzn-errortype': 'InternalServerException' });
    const once = await setup(failing, { env: { AWS_MAX_ATTEMPTS: '1' } });
    expect((await once.client.sendConnectorEvent(EVENT).catch((e) => e)).name).toBe(
      'InternalServerException',
    );
    expect(once.server.received).toHaveLength(1);
    const option = await setup(failing, { env: { AWS_MAX_ATTEMPTS: '1' }, maxAttempts: 2 });
    await option.client.sendConnectorEvent(EVENT).catch(() => undefined);
    expect(option.server.received).toHaveLength(2);
    expect(
      () => new ConnectorEventsClient({ region: 'us-east-1', env: { AWS_MAX_ATTEMPTS: 'two' } }),
    ).toThrow(/AWS_MAX_ATTEMPTS to be a whole number of at least 1, got "two"/);
  });

  it('honours Retry-After', async () => {
    // Prepare
    let n = 0;
    const { server, client, clock, waiting } = await setupWaiting((_req, res) => {
      n++;
      if (n === 1)
        return json(
          res,
          429,
          {},
          { 'retry-after': '0.05', 'x-amzn-errortype': 'ThrottlingException' },
        );
      return json(res, 202, { ConnectorId: 'conn-1' });
    });
    // Act
    const sent = client.sendConnectorEvent(EVENT);
    const delay = await waiting(1);
    clock.advance(delay - 1);
    // Assess: the wait set is the 50 ms asked for, and nothing is sent before it ends.
    expect(delay).toBeGreaterThanOrEqual(50);
    expect(server.received).toHaveLength(1);
    clock.advance(1);
    await expect(sent).resolves.toEqual({ ConnectorId: 'conn-1' });
    expect(server.received).toHaveLength(2);
  });

  it('an abort during the backoff wait ends the call with the signal reason, without another attempt', async () => {
    let attempts = 0;
    const { client, waiting } = await setupWaiting((_req, res) => {
      attempts++;
      // Retry-After of 30 s: the client would wait, unless the caller gives up.
      json(
        res,
        503,
        {},
        { 'retry-after': '30', 'x-amzn-errortype': 'ServiceUnavailableException' },
      );
    });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = client.sendConnectorEvent(EVENT, { signal: controller.signal });
    // Retry-After stretches the (zero-jitter) wait by 5 s at most.
    expect(await waiting(1)).toBe(5_000);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(attempts).toBe(1);
  });

  it('fails fast when the retry budget is empty', async () => {
    const { server, client } = await setup(
      (_req, res) => json(res, 503, {}, { 'x-amzn-errortype': 'ServiceUnavailableException' }),
      { retryBudget: 20 },
    );
    await expect(client.sendConnectorEvent(EVENT)).rejects.toBeInstanceOf(
      RetryBudgetExhaustedError,
    );
    expect(server.received).toHaveLength(2); // one retry cost 14 of 20 tokens; the second finds 6
  });

  it('turns connection failures into ConnectorNetworkError after retries', async () => {
    const { server, client } = await setup((_req, res) => json(res, 202, {}));
    await server.close();
    const error = await client.sendConnectorEvent(EVENT).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorNetworkError);
    expect(error.attempts).toBe(3);
  });

  it('never puts the secret key or the signature in errors', async () => {
    const { client } = await setup((_req, res) => json(res, 403, { Message: 'denied' }));
    const error = await client.sendConnectorEvent(EVENT).catch((e) => e);
    expect(JSON.stringify({ m: error.message, s: error.stack })).not.toContain(
      TEST_CREDENTIALS.secretAccessKey,
    );
  });
});

describe('the attempt timeout', () => {
  it('comes from C2C_ATTEMPT_TIMEOUT_MS when no option gives it; the option wins', async () => {
    // A service that never answers: only the attempt timeout ends the call.
    const silent = () => {};
    const fromEnv = await setup(silent, { maxAttempts: 1, env: { C2C_ATTEMPT_TIMEOUT_MS: '150' } });
    const error = await fromEnv.client.sendConnectorEvent(EVENT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorNetworkError);
    expect((error as Error).message).toMatch(/no response within 150 ms/);
    const option = await setup(silent, {
      maxAttempts: 1,
      attemptTimeoutMs: 100,
      env: { C2C_ATTEMPT_TIMEOUT_MS: '60000' },
    });
    const cut = await option.client.sendConnectorEvent(EVENT).catch((e: unknown) => e);
    expect((cut as Error).message).toMatch(/no response within 100 ms/);
    expect(
      () =>
        new ConnectorEventsClient({ region: 'us-east-1', env: { C2C_ATTEMPT_TIMEOUT_MS: '2s' } }),
    ).toThrow(/C2C_ATTEMPT_TIMEOUT_MS to be a whole number of ms of at least 1, got "2s"/);
  });
});

describe('a call with a deadline', () => {
  it('cuts off an attempt still unanswered at the deadline, well before its own timeout', async () => {
    // A service that never answers; only the deadline can end the call (the attempt timeout is
    // a minute), as an invocation's deadline must end it before Lambda's timeout does.
    const { client } = await setup(() => {}, { attemptTimeoutMs: 60_000 });
    const error = await client
      .sendConnectorEvent(EVENT, { deadline: Date.now() + 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorNetworkError);
    expect((error as Error).message).toMatch(/no response by the call's deadline/);
  });
});

describe('retry policy', () => {
  it('backoff stays within full-jitter bounds and Retry-After adds at most 5 s', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom<'transient' | 'throttling'>('transient', 'throttling'),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
        (r, i, kind, after) => {
          const s = new RetryStrategy({ random: () => r });
          const ceiling = Math.min((kind === 'transient' ? 50 : 1000) * 2 ** i, 20_000);
          const computed = Math.floor(r * ceiling);
          const d = s.delayMs(kind, i, after);
          expect(d).toBeGreaterThanOrEqual(computed);
          expect(d).toBeLessThanOrEqual(computed + (after === undefined ? 0 : 5000));
        },
      ),
    );
  });

  it('classifies like the SDK: 429/500/502/503/504 retry, 400/403/404 do not', () => {
    for (const s of [500, 502, 503, 504]) expect(classifyHttpError(s, 'X')).toBe('transient');
    expect(classifyHttpError(429, 'X')).toBe('throttling');
    expect(classifyHttpError(400, 'ThrottlingException')).toBe('throttling');
    for (const s of [400, 403, 404])
      expect(classifyHttpError(s, 'ValidationException')).toBeUndefined();
  });

  it('parses Retry-After seconds, dates and x-amz-retry-after', () => {
    expect(parseRetryAfter({ 'retry-after': '2' })).toBe(2000);
    expect(parseRetryAfter({ 'x-amz-retry-after': '150' })).toBe(150);
    expect(parseRetryAfter({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined();
  });
});

describe('ManagedIntegrationsClient (any operation by name)', () => {
  const setupAny = (responder: Parameters<typeof startSigV4Server>[0]) =>
    setup(responder, {}, ManagedIntegrationsClient);

  it('calls an operation by name from its binding: labels, repeated query keys, signed', async () => {
    // Prepare
    const { server, client } = await setupAny((_req, res) => json(res, 200, {}));
    const arn = 'arn:aws:iotmanagedintegrations:us-east-1:111122223333:managed-thing/abc1';
    // Act
    const out = await client.call('UntagResource', { ResourceArn: arn, TagKeys: ['b', 'a c'] });
    // Assess
    expect(out).toEqual({});
    expect(server.received[0]).toMatchObject({
      method: 'DELETE',
      url: `/tags/${encodeURIComponent(arn)}?tagKeys=b&tagKeys=a%20c`,
      signatureValid: true,
    });
  });

  it('send answers an error status as received, once, with the error name', async () => {
    const { server, client } = await setupAny((_req, res) =>
      json(res, 503, { Message: 'busy' }, { 'x-amzn-errortype': 'ServiceUnavailableException' }),
    );
    const response = await client.send('GetManagedThing', { Identifier: 'thing-1' });
    expect(response).toMatchObject({
      statusCode: 503,
      body: { Message: 'busy' },
      errorType: 'ServiceUnavailableException',
    });
    expect(server.received).toHaveLength(1);
    await expect(client.call('GetManagedThing', { Identifier: 'thing-1' })).rejects.toMatchObject({
      name: 'ServiceUnavailableException',
    });
    expect(server.received).toHaveLength(4); // call retried: 3 attempts
  });

  it('never sends an unknown operation, an invalid input or an empty label', async () => {
    const { server, client } = await setupAny((_req, res) => json(res, 200, {}));
    const raw = new ManagedIntegrationsClient({
      region: 'us-east-1',
      endpoint: server.url,
      credentials: TEST_CREDENTIALS,
      validate: false,
    });
    closers.push(() => raw.close());
    const errors = await Promise.all([
      client.call('NoSuchOperation' as 'GetManagedThing', { Identifier: 'x' }).catch((e) => e),
      client.call('ListManagedThings', { MaxResults: 0 }).catch((e) => e),
      raw.send('GetManagedThing', { Identifier: '' }).catch((e) => e),
    ]);
    for (const error of errors) expect(error).toBeInstanceOf(ConnectorValidationError);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('NoSuchOperation'),
      expect.stringContaining('MaxResults'),
      expect.stringContaining('GetManagedThing.Identifier: expected a non-empty string'),
    ]);
    expect(server.received).toHaveLength(0);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../src/outbox/outbox.js';
import {
  activateUserInvocation,
  deactivateUserInvocation,
  discoverDevicesInvocation,
  functionUrlEvent,
  signedWebhookEvent,
} from '../src/testing.js';
import { SECRET, TOKEN, useFanConnector } from './helpers/fanConnector.js';

// createConnector on the Function URL: signed vendor webhooks verified, translated, validated and
// sent (or parked), and what it refuses. Service invocations: handler.test.ts.

const setup = useFanConnector();

describe('createConnector: webhooks on the Function URL', () => {
  const fanHigh = { type: 'fan.mode_changed', deviceId: 'fan-42', owner: 'user-7', mode: 'high' };

  it('verifies, translates and sends DEVICE_EVENT (FanMode High = 3); a replayed delivery is not re-sent', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const event = signedWebhookEvent({ secret: SECRET, body: fanHigh, id: 'msg_1', base64: true });
    expect(await handler(event)).toMatchObject({ statusCode: 202 });
    expect(await handler(event)).toMatchObject({
      statusCode: 200,
      body: JSON.stringify({ status: 'duplicate', events: 1 }),
    });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.signatureValid).toBe(true);
    expect(JSON.parse(server.received[0]?.body ?? '{}')).toEqual({
      UserId: 'user-7',
      Operation: 'DEVICE_EVENT',
      OperationVersion: '1.0',
      StatusCode: 200,
      ConnectorDeviceId: 'fan-42',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] },
    });
  });

  it('a connectorId resolver runs when a webhook needs the id first, once, and again after a failure', async () => {
    // Prepare
    let calls = 0;
    const { handler, server } = await setup({
      connectorId: async () => {
        calls++;
        if (calls === 1) throw new Error('ListCloudConnectors unavailable');
        return 'conn-resolved';
      },
    });
    const delivery = (id: string) => signedWebhookEvent({ secret: SECRET, body: fanHigh, id });
    // Act, Assess: a failed resolution is not cached
    expect(await handler(delivery('msg_r1'))).toMatchObject({ statusCode: 503 });
    expect(await handler(delivery('msg_r2'))).toMatchObject({ statusCode: 202 });
    expect(await handler(delivery('msg_r3'))).toMatchObject({ statusCode: 202 });
    expect(calls).toBe(2);
    expect(server.received.map((r) => r.url)).toEqual([
      '/connector-event/conn-resolved',
      '/connector-event/conn-resolved',
    ]);
    // The resolved id is the function's from now on: an invocation for another is refused.
    const other = await handler(activateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    expect(other).toMatchObject({ header: { responseCode: 400 } });
  });

  it('rejects forged (401), expired (401) and unsigned (400) deliveries and sends nothing', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const forged = signedWebhookEvent({
      secret: `whsec_${randomBytes(24).toString('base64')}`,
      body: fanHigh,
    });
    const expired = signedWebhookEvent({
      secret: SECRET,
      body: fanHigh,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    const unsigned = functionUrlEvent({ method: 'POST', body: JSON.stringify(fanHigh) });
    expect(await handler(forged)).toMatchObject({ statusCode: 401 });
    expect(await handler(expired)).toMatchObject({ statusCode: 401 });
    expect(await handler(unsigned)).toMatchObject({ statusCode: 400 });
    expect(server.received).toHaveLength(0);
    expect(handler.stats.webhooksRejected).toBe(3);
  });

  it('reports an unknown vendor event (422, logged, counted), never drops it silently', async () => {
    const { handler, lines } = await setup({ connectorId: 'conn-1' });
    const out = await handler(
      signedWebhookEvent({ secret: SECRET, body: { type: 'fan.exploded', deviceId: 'x' } }),
    );
    expect(out).toMatchObject({ statusCode: 422 });
    expect(handler.stats.unknownVendorEvents).toBe(1);
    expect(
      lines.some((l) => l.includes('"unknown vendor event"') && l.includes('fan.exploded')),
    ).toBe(true);
  });

  it('validates the Matter values before sending: FanMode 9 is refused with the field path (422)', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const out = (await handler(
      signedWebhookEvent({ secret: SECRET, body: { ...fanHigh, mode: 'turbo' } }),
    )) as { statusCode: number; body: string };
    expect(out.statusCode).toBe(422);
    expect(out.body).toContain('MatterEndpoint.clusters[0].attributes');
    expect(out.body).toContain('FanModeEnum');
    expect(server.received).toHaveLength(0);
  });

  it('takes a custom endpoint check, synchronous or not, in place of the Matter one', async () => {
    for (const check of [
      (e: { id?: string }) => (e.id === '1' ? ['endpoint 1 is reserved here'] : []),
      async (e: { id?: string }) => (e.id === '1' ? ['endpoint 1 is reserved here'] : []),
    ]) {
      const { handler, server } = await setup({
        connectorId: 'conn-1',
        policy: { validateEndpoint: check },
      });
      const out = (await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }))) as {
        statusCode: number;
        body: string;
      };
      expect(out.statusCode).toBe(422);
      expect(out.body).toContain('endpoint 1 is reserved here');
      expect(server.received).toHaveLength(0);
    }
    // Switched off: FanMode 9 is the model's business only, and the model allows it.
    const { handler, server } = await setup({
      connectorId: 'conn-1',
      policy: { validateEndpoint: false },
    });
    const turbo = signedWebhookEvent({ secret: SECRET, body: { ...fanHigh, mode: 'turbo' } });
    expect(await handler(turbo)).toMatchObject({ statusCode: 202 });
    expect(server.received).toHaveLength(1);
  });

  it('reads webhook headers whatever their case', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const event = signedWebhookEvent({ secret: SECRET, body: fanHigh });
    const headers = Object.fromEntries(
      Object.entries(event.headers).map(([k, v]) => [
        k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()),
        v,
      ]),
    );
    expect(Object.keys(headers)).toContain('Webhook-Signature');
    expect(await handler({ ...event, headers })).toMatchObject({ statusCode: 202 });
    expect(server.received).toHaveLength(1);
  });

  it('refuses a ConnectorDeviceId that is an e-mail address (422)', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const out = await handler(
      signedWebhookEvent({
        secret: SECRET,
        body: { ...fanHigh, deviceId: 'jane.doe@example.com' },
      }),
    );
    expect(out).toMatchObject({ statusCode: 422 });
    expect(server.received).toHaveLength(0);
  });

  it('parks events in the outbox when the service keeps failing, keeps device order, and answers 202', async () => {
    let fail = true;
    const outbox = new MemoryOutbox();
    const { handler, server } = await setup({ connectorId: 'conn-1', runtime: { outbox } }, () =>
      fail
        ? [503, { __type: 'ServiceUnavailableException', Message: 'down' }]
        : [202, { ConnectorId: 'conn-1' }],
    );
    // Parked durably: the vendor gets 202 (no retry) and learns how many events were parked.
    expect(await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }))).toMatchObject({
      statusCode: 202,
      body: JSON.stringify({ status: 'accepted', events: 1, parked: 1 }),
    });
    fail = false;
    // The service is back, but this device has a parked event: the new one must queue behind it.
    expect(
      await handler(signedWebhookEvent({ secret: SECRET, body: { ...fanHigh, mode: 'low' } })),
    ).toMatchObject({ statusCode: 202 });
    const attempts = server.received.length;
    expect(await outbox.count()).toBe(2);
    expect(attempts).toBe(3); // 3 attempts for the first event, none for the second
  });

  it('without an outbox, a delivery failure answers 503 so the vendor retries (nothing lost)', async () => {
    const { handler } = await setup({ connectorId: 'conn-1' }, () => [
      503,
      { __type: 'ServiceUnavailableException' },
    ]);
    const event = signedWebhookEvent({ secret: SECRET, body: fanHigh, id: 'msg_retry' });
    expect(await handler(event)).toMatchObject({ statusCode: 503 });
    // Failed work released its idempotency key: the retry is processed, not treated as a duplicate.
    expect(await handler(event)).toMatchObject({ statusCode: 503 });
  });

  it('after DeactivateUser, events for that user are no longer sent; ActivateUser re-enables them', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    await handler(deactivateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    expect(await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }))).toMatchObject({
      statusCode: 202,
    });
    expect(server.received).toHaveLength(0);
    expect(handler.stats.eventsDroppedDeactivated).toBe(1);
    await handler(activateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }));
    expect(server.received).toHaveLength(1);
  });

  it('never writes the access token, webhook secret or request signatures to the logs', async () => {
    const { handler, lines, server } = await setup({ connectorId: 'conn-1' });
    await handler(activateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    await handler(
      discoverDevicesInvocation({ connectorId: 'conn-1', token: TOKEN, deviceDiscoveryId: 'd1' }),
    );
    await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }));
    await handler(
      signedWebhookEvent({ secret: `whsec_${randomBytes(24).toString('base64')}`, body: fanHigh }),
    );
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(SECRET.slice(6));
    const signature =
      /Signature=([0-9a-f]+)/.exec(String(server.received[0]?.headers.authorization))?.[1] ??
      'none';
    expect(all).not.toContain(signature);
    expect(all).not.toContain('"user-7"'); // hashed
    expect(all).toContain('userIdHash');
  });
});

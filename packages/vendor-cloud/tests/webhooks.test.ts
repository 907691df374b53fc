import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildVendorCloud,
  type DeliveryRecord,
  generateWebhookSecret,
  userIdFor,
  type VendorCloud,
} from '../src/index.js';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } from './helpers.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver that answers with the scripted statuses, then 204. */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhook`, received, server };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function cloudWith(url: string | undefined, secret: string, linkedOnly = false): VendorCloud {
  const opts: Parameters<typeof buildVendorCloud>[0] = {
    webhookSecret: secret,
    webhookLinkedUsersOnly: linkedOnly,
    tickIntervalMs: 0,
    webhookRetry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
  };
  if (url) opts.webhookUrl = url;
  const cloud = buildVendorCloud(opts);
  cleanups.push(() => cloud.app.close());
  return cloud;
}

function headersOf(r: Received): Record<string, string> {
  return {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  };
}

describe('Standard Webhooks delivery', () => {
  it('signs every device event so the reference standardwebhooks library verifies it', async () => {
    // Prepare
    const rx = await receiver();
    cleanups.push(() => new Promise((r) => rx.server.close(() => r())));
    const secret = generateWebhookSecret();
    const cloud = cloudWith(rx.url, secret);
    // Act
    cloud.simulation.trigger('cam-1', 'motion');
    await cloud.webhooks.idle();
    // Assess
    expect(rx.received).toHaveLength(1);
    const [msg] = rx.received;
    if (!msg) throw new Error('no delivery');
    expect(msg.headers['content-type']).toBe('application/json');
    expect(String(msg.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const payload = new Webhook(secret).verify(msg.body, headersOf(msg)) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'device.motion',
      deviceId: 'cam-1',
      kind: 'camera',
      userId: userIdFor('alice'),
      source: 'device',
      data: { motion: true },
    });
    expect(msg.headers['webhook-id']).toBe(payload.eventId);
    // A different secret or a tampered body must not verify: the check can fail.
    expect(() => new Webhook(generateWebhookSecret()).verify(msg.body, headersOf(msg))).toThrow();
    expect(() =>
      new Webhook(secret).verify(msg.body.replace('true', 'false'), headersOf(msg)),
    ).toThrow();
  });

  it('retries with backoff while the connector is down, keeping the webhook-id', async () => {
    const rx = await receiver([503, 500]);
    cleanups.push(() => new Promise((r) => rx.server.close(() => r())));
    const secret = generateWebhookSecret();
    const cloud = cloudWith(rx.url, secret);
    cloud.simulation.trigger('contact-1', 'open');
    await cloud.webhooks.idle();
    expect(rx.received).toHaveLength(3);
    const ids = new Set(rx.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const r of rx.received)
      expect(() => new Webhook(secret).verify(r.body, headersOf(r))).not.toThrow();
    const [record] = cloud.webhooks.log();
    expect(record).toMatchObject({
      state: 'delivered',
      type: 'device.contact',
      deviceId: 'contact-1',
    });
    expect(record?.attempts.map((a) => a.status)).toEqual([503, 500, 204]);
  });

  it('gives up after the bounded attempts when nothing listens, and logs why', async () => {
    const rx = await receiver();
    const url = rx.url;
    await new Promise<void>((r) => rx.server.close(() => r()));
    const cloud = cloudWith(url, generateWebhookSecret());
    cloud.simulation.trigger('cam-1', 'motion');
    await cloud.webhooks.idle();
    const res = await cloud.app.inject({ method: 'GET', url: '/_sim/webhooks' });
    const log = res.json() as { url: string; deliveries: DeliveryRecord[] };
    expect(log.url).toBe(url);
    expect(log.deliveries[0]?.state).toBe('failed');
    expect(log.deliveries[0]?.attempts).toHaveLength(4);
    expect(log.deliveries[0]?.attempts[0]?.error).toBe('ECONNREFUSED');
  });

  it('does not retry a 4xx answer (the request itself is wrong)', async () => {
    const rx = await receiver([401]);
    cleanups.push(() => new Promise((r) => rx.server.close(() => r())));
    const cloud = cloudWith(rx.url, generateWebhookSecret());
    cloud.simulation.trigger('cam-1', 'motion');
    await cloud.webhooks.idle();
    expect(rx.received).toHaveLength(1);
    expect(cloud.webhooks.log()[0]?.state).toBe('failed');
  });

  it("keeps one device's events in order while its first event is being retried", async () => {
    const rx = await receiver([503]);
    cleanups.push(() => new Promise((r) => rx.server.close(() => r())));
    const cloud = cloudWith(rx.url, generateWebhookSecret());
    cloud.simulation.trigger('cam-1', 'motion');
    cloud.simulation.trigger('cam-1', 'motion_cleared');
    await cloud.webhooks.idle();
    const motions = rx.received.map(
      (r) => (JSON.parse(r.body) as { data: { motion: boolean } }).data.motion,
    );
    expect(motions).toEqual([true, true, false]);
  });

  it('logs events as skipped until a target is configured over the control API', async () => {
    const rx = await receiver();
    cleanups.push(() => new Promise((r) => rx.server.close(() => r())));
    const cloud = cloudWith(undefined, generateWebhookSecret());
    cloud.simulation.trigger('cam-1', 'motion');
    expect(cloud.webhooks.log()[0]).toMatchObject({ state: 'skipped', skipReason: 'no_target' });
    const secret = generateWebhookSecret();
    const put = await cloud.app.inject({
      method: 'PUT',
      url: '/_sim/webhooks/config',
      payload: { url: rx.url, secret },
    });
    expect(put.statusCode).toBe(200);
    const trig = await cloud.app.inject({
      method: 'POST',
      url: '/_sim/devices/cam-1/trigger',
      payload: { event: 'motion_cleared' },
    });
    expect(trig.statusCode).toBe(200);
    await cloud.webhooks.idle();
    expect(rx.received).toHaveLength(1);
    const msg = rx.received[0];
    if (!msg) throw new Error('no delivery');
    expect(new Webhook(secret).verify(msg.body, headersOf(msg))).toMatchObject({
      data: { motion: false },
    });
  });
});

describe('subscriptions follow account links', () => {
  it("delivers a user's events only while the user holds a live grant", async () => {
    const rx = await receiver();
    cleanups.push(() => new Promise((r) => rx.server.close(() => r())));
    const cloud = cloudWith(rx.url, generateWebhookSecret(), true);
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    // Not linked yet: logged, not sent.
    cloud.simulation.trigger('cam-1', 'motion');
    expect(cloud.webhooks.log()[0]).toMatchObject({
      state: 'skipped',
      skipReason: 'user_not_linked',
    });
    // Link alice (code flow through inject), then her events flow; bob's still do not.
    const auth = await cloud.app.inject({
      method: 'POST',
      url: '/oauth/authorize',
      headers: formHeaders,
      payload: new URLSearchParams({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        username: 'alice',
        password: 'alice-password',
        allowed: 'true',
      }).toString(),
    });
    const code = new URL(String(auth.headers.location)).searchParams.get('code') ?? '';
    const tok = await cloud.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: formHeaders,
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }).toString(),
    });
    const { access_token } = tok.json() as { access_token: string };
    cloud.simulation.trigger('cam-1', 'motion_cleared');
    cloud.simulation.trigger('cam-2', 'motion');
    await cloud.webhooks.idle();
    expect(rx.received.map((r) => (JSON.parse(r.body) as { deviceId: string }).deviceId)).toEqual([
      'cam-1',
    ]);
    // Unlinked (DeactivateUser revokes the token): her events stop.
    await cloud.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: formHeaders,
      payload: new URLSearchParams({ token: access_token }).toString(),
    });
    cloud.simulation.trigger('cam-1', 'motion');
    await cloud.webhooks.idle();
    expect(rx.received).toHaveLength(1);
    expect(cloud.webhooks.log()[0]).toMatchObject({
      deviceId: 'cam-1',
      skipReason: 'user_not_linked',
    });
  });
});

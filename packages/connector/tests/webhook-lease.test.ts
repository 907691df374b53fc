import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectorEventsClient } from '../src/client/ConnectorEventsClient.js';
import { createConnector } from '../src/handler/createConnector.js';
import { SqliteIdempotencyStore } from '../src/sqlite.js';
import { fakeLambdaContext, manualClock, signedWebhookEvent } from '../src/testing.js';
import { defineTranslator } from '../src/translate/translator.js';
import { standardWebhooks } from '../src/webhooks/verify.js';
import { json, startSigV4Server, TEST_CREDENTIALS } from './helpers/sigv4Server.js';

// An execution environment killed while it delivers a webhook leaves the delivery claimed in the
// shared idempotency store, and the vendor's retry of it is answered 409. The claim lasts as long
// as the dead invocation could have run (its time budget), not a fixed minute: Lambda would have
// timed that invocation out by then.

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'c2c-lease-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Reading = { type: string; deviceId: string; owner: string; celsius: number };

describe('a webhook claimed by an environment that died', () => {
  it('is taken by the retry once the dead invocation would have timed out', async () => {
    // Prepare: two environments sharing one SQLite store; the service never answers the first.
    let first = true;
    const server = await startSigV4Server((_req, res) => {
      if (first) {
        first = false;
        return; // the environment is "killed" while it waits for this answer
      }
      json(res, 202, { ConnectorId: 'conn-1' });
    });
    const clock = manualClock();
    const environment = () => {
      const client = new ConnectorEventsClient({
        region: 'us-east-1',
        endpoint: server.url,
        credentials: TEST_CREDENTIALS,
        random: () => 0,
      });
      const handler = createConnector<Reading>({
        connectorId: 'conn-1',
        runtime: {
          client,
          clock,
          idempotency: new SqliteIdempotencyStore(join(dir, 'store.db')),
          workQueue: { enqueue: async () => {} },
        },
        vendor: {
          resolveUser: () => 'user-7',
          listDevices: async () => [],
          executeCommand: async () => [],
        },
        webhooks: {
          verifier: standardWebhooks({ secrets: [SECRET] }),
          translate: defineTranslator<Reading>({
            typeOf: (e) => e.type,
            rules: {
              'temperature.reading': (e) => ({
                connectorDeviceId: e.deviceId,
                userId: e.owner,
                clusters: [{ id: '0x0201', attributes: { '0x0000': e.celsius * 100 } }],
              }),
            },
          }),
        },
      });
      return { handler, close: () => client.close() };
    };
    const dead = environment();
    const alive = environment();
    const body = { type: 'temperature.reading', deviceId: 't-1', owner: 'user-7', celsius: 21 };
    const delivery = () => signedWebhookEvent({ secret: SECRET, body, id: 'msg_lease' });
    try {
      // Act: the first delivery is claimed and never finishes; the vendor retries elsewhere.
      const abandoned = dead.handler(delivery(), fakeLambdaContext(3_000, 'dead', clock));
      abandoned.catch(() => {});
      while (server.received.length === 0) await new Promise((r) => setTimeout(r, 10));

      // Assert: refused while the dead invocation could still run (3 s budget), taken after.
      clock.advance(2_500);
      const early = await alive.handler(delivery(), fakeLambdaContext(3_000, 'early', clock));
      expect(early).toMatchObject({ statusCode: 409 });
      clock.advance(2_000);
      const retry = await alive.handler(delivery(), fakeLambdaContext(3_000, 'retry', clock));
      expect(retry).toMatchObject({ statusCode: 202 });
      expect(server.received).toHaveLength(2);
    } finally {
      dead.close();
      alive.close();
      await server.close();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { fanControl } from '@c2c-kit/matter';
import { afterEach } from 'vitest';
import { createConnector } from '../../src/handler/createConnector.js';
import type { ConnectorOptions } from '../../src/handler/options.js';
import type { ConnectorCallbacks } from '../../src/handler/types.js';
import { MemoryIdempotencyStore } from '../../src/idempotency/store.js';
import { createJsonLogger } from '../../src/log/logger.js';
import { InProcessWorkQueue } from '../../src/queue/workQueue.js';
import { defineTranslator } from '../../src/translate/translator.js';
import { standardWebhooks } from '../../src/webhooks/verify.js';
import { clientOnSigV4Server, json, type Received } from './sigv4Server.js';

// A fan vendor's connector for the createConnector tests (handler.test.ts,
// handler-webhooks.test.ts): one device `fan-42` of `user-7`, whose mode changes arrive as
// signed webhooks.

/** The webhook signing secret the harness's verifier accepts. */
export const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
/** The access token `resolveUser` maps to `user-7`. */
export const TOKEN = 'vendor-access-token-SECRET-123';

export type FanEvent = {
  type: string;
  deviceId: string;
  owner: string;
  mode: 'low' | 'high' | 'turbo';
};
const FAN_MODE = { low: 'Low', high: 'High' } as const;

export type Extra = Omit<Partial<ConnectorOptions<FanEvent>>, 'vendor'> & {
  vendor?: Partial<ConnectorCallbacks>;
};

/**
 * For a test file: `setup()` builds a fan vendor's connector (`createConnector`) whose client
 * talks to a local SigV4-checking server (`respond` answers it; 202 by default), with an
 * in-process work queue, a memory idempotency store and a captured log. Everything a test set up
 * closes after it.
 */
export function useFanConnector() {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()?.();
  });
  return setup;

  async function setup(extra: Extra = {}, respond?: (r: Received) => [number, unknown]) {
    const { server, client } = await clientOnSigV4Server((req, res) => {
      const [status, body] = respond?.(req) ?? [202, { ConnectorId: 'conn-1' }];
      json(
        res,
        status,
        body,
        status >= 400
          ? {
              'x-amzn-errortype': (body as { __type?: string }).__type ?? 'InternalServerException',
            }
          : {},
      );
    }, closers);
    const lines: string[] = [];
    const queue = new InProcessWorkQueue();
    const calls = { listDevices: 0, executeCommand: 0, revoke: 0 };
    const handler = createConnector<FanEvent>({
      ...extra,
      runtime: {
        client,
        workQueue: queue,
        idempotency: new MemoryIdempotencyStore(),
        logger: createJsonLogger({ sink: (l) => lines.push(l), level: 'debug' }),
        ...extra.runtime,
      },
      vendor: {
        resolveUser: ({ auth }) =>
          auth.type === 'OAuth2.0' && auth.accessToken === TOKEN ? 'user-7' : 'other',
        listDevices: async () => {
          calls.listDevices++;
          return [
            {
              connectorDeviceId: 'fan-42',
              name: 'Living room fan',
              capabilityReport: {
                version: '1.0.0',
                endpoints: [
                  { id: '1', deviceTypes: ['0x002B'], clusters: [{ id: '0x0202', revision: 4 }] },
                ],
              },
            },
          ];
        },
        executeCommand: async () => {
          calls.executeCommand++;
          return [
            {
              endpointId: '1',
              clusterId: '0x0006',
              commandId: '0x01',
              attributes: { '0x0000': true },
            },
          ];
        },
        revokeTokens: async () => {
          calls.revoke++;
        },
        ...extra.vendor,
      },
      webhooks: {
        verifier: standardWebhooks({ secrets: [SECRET] }),
        translate: defineTranslator<FanEvent>({
          typeOf: (e) => e.type,
          rules: {
            'fan.mode_changed': (e) => ({
              connectorDeviceId: e.deviceId,
              userId: e.owner,
              clusters:
                e.mode === 'turbo'
                  ? [{ id: '0x0202', attributes: { '0x0000': 9 } }] // a buggy translation
                  : [fanControl.fanMode(FAN_MODE[e.mode])],
            }),
          },
        }),
      },
    });
    return { server, handler, queue, calls, lines };
  }
}

/** Acme webhook bodies → parsed events → DEVICE_EVENT content. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AcmeConnectorError,
  type AcmeEvent,
  parseAcmeEvent,
  translateAcmeEvent,
} from '../src/index.js';
import { assertValid } from './translation-fixtures.js';

describe('webhook events → DEVICE_EVENT content', () => {
  const event = (over: Partial<AcmeEvent>): AcmeEvent => ({
    eventId: 'evt_1',
    type: 'device.motion',
    deviceId: 'cam-1',
    kind: 'camera',
    userId: 'acme-user',
    occurredAt: '2026-01-01T00:00:00.000Z',
    source: 'device',
    data: { motion: true },
    ...over,
  });

  it('translates each Acme event type', () => {
    expect(translateAcmeEvent(event({})).clusters).toEqual([
      { id: '0x0406', attributes: { '0x0000': 1 } },
    ]);
    expect(
      translateAcmeEvent(
        event({
          type: 'device.state',
          deviceId: 'fan-1',
          kind: 'fan',
          data: { mode: 'high', speedPercent: 100 },
        }),
      ),
    ).toMatchObject({
      connectorDeviceId: 'fan-1',
      userId: 'acme-user',
    });
    expect(
      translateAcmeEvent(event({ type: 'device.connectivity', data: { online: false } })).clusters,
    ).toEqual([{ id: '0x0039', attributes: { '0x0011': false } }]);
    for (const [type, kind, data] of [
      ['device.battery', 'camera', { battery: 10 }],
      ['device.contact', 'contact', { open: false }],
      ['device.lock', 'lock', { lockState: 'jammed' }],
      ['device.temperature', 'thermostat', { temperatureC: 20.3 }],
      ['device.state', 'light', { on: true, brightness: 10 }],
      ['device.state', 'thermostat', { heatSetpointC: 20, coolSetpointC: 24 }],
    ] as const) {
      assertValid(translateAcmeEvent(event({ type, kind, data })).clusters);
    }
  });

  it('reports unknown event types and unknown state members', () => {
    expect(() => translateAcmeEvent(event({ type: 'device.exploded' }))).toThrow(
      /unknown Acme event type/,
    );
    expect(() => translateAcmeEvent(event({ data: { motion: true, smell: 'smoke' } }))).toThrow(
      /unknown state member\(s\) smell/,
    );
  });

  it('parsing and translating arbitrary bodies fails only with AcmeConnectorError (property)', () => {
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({
          eventId: fc.string(),
          type: fc.oneof(
            fc.constantFrom('device.motion', 'device.state', 'device.connectivity'),
            fc.string(),
          ),
          deviceId: fc.string(),
          kind: fc.oneof(
            fc.constantFrom('camera', 'fan', 'light', 'lock', 'contact', 'thermostat'),
            fc.string(),
          ),
          userId: fc.string(),
          occurredAt: fc.string(),
          data: fc.dictionary(
            fc.constantFrom('motion', 'mode', 'on', 'battery', 'online', 'lockState', 'x'),
            fc.jsonValue({ maxDepth: 1 }),
          ),
        })
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(body, (text) => {
        try {
          translateAcmeEvent(parseAcmeEvent(text));
        } catch (error) {
          // Bad values reach the matter builders, which reject them with their own typed error.
          const known =
            error instanceof AcmeConnectorError || (error as Error).name.startsWith('Matter');
          expect(known, String(error)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parses webhook bodies and names the bad field', () => {
    expect(parseAcmeEvent(JSON.stringify(event({})))).toMatchObject({ deviceId: 'cam-1' });
    expect(() => parseAcmeEvent('{')).toThrow('webhook body: expected JSON');
    expect(() => parseAcmeEvent(JSON.stringify({ ...event({}), kind: 'toaster' }))).toThrow(
      /body\.kind: expected one of/,
    );
    expect(() => parseAcmeEvent(JSON.stringify({ ...event({}), deviceId: '' }))).toThrow(
      /body\.deviceId/,
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PiiInDeviceIdError } from '../src/errors.js';
import { createJsonLogger } from '../src/log/logger.js';
import { assertNoObviousPii } from '../src/translate/pii.js';

const secretValue = fc
  .string({ minLength: 12, maxLength: 40 })
  .map((s) => `S3cr3t-${s.replace(/[^a-zA-Z0-9]/g, 'x')}`);
const secretKey = fc.constantFrom(
  'token',
  'accessToken',
  'clientSecret',
  'Authorization',
  'signature',
  'password',
  'apiKey',
);

describe('JSON logger', () => {
  it('property: values under secret-named keys never reach the output, at any depth', () => {
    fc.assert(
      fc.property(
        secretKey,
        secretValue,
        fc.array(fc.constantFrom('a', 'b', 'headers', 'auth'), { maxLength: 4 }),
        (key, value, path) => {
          const lines: string[] = [];
          const log = createJsonLogger({ sink: (l) => lines.push(l) });
          let fields: Record<string, unknown> = { [key]: value };
          for (const p of path) fields = { [p]: fields };
          log.info('x', fields);
          expect(lines[0]).not.toContain(value);
          expect(lines[0]).toContain('[REDACTED]');
        },
      ),
    );
  });

  it('masks known secret values anywhere in a line and hashes user ids', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ sink: (l) => lines.push(l) }).child({
      redactValues: ['tok-1234567890'],
      userId: 'alice@example',
    });
    log.error('vendor said: bad token tok-1234567890', {
      error: new Error('401 for tok-1234567890'),
    });
    const line = lines[0] ?? '';
    expect(line).not.toContain('tok-1234567890');
    expect(line).not.toContain('alice@example');
    expect(JSON.parse(line)).toMatchObject({
      level: 'error',
      userIdHash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('writes one JSON object per line with correlation ids', () => {
    const lines: string[] = [];
    createJsonLogger({ sink: (l) => lines.push(l) })
      .child({ traceId: 't=_1', connectorDeviceId: 'fan-1' })
      .info('sent');
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      message: 'sent',
      traceId: 't=_1',
      connectorDeviceId: 'fan-1',
    });
  });
});

describe('PII check on ConnectorDeviceId', () => {
  it.each([
    'jane.doe@example.com',
    'x-jane@corp.io',
    '555-123-4567',
    '+4915112345678',
    '15551234567',
  ])('rejects %s', (id) => {
    expect(() => assertNoObviousPii(id)).toThrow(PiiInDeviceIdError);
  });
  it.each(['fan-42', 'SN-FAN-1', 'a1b2c3d4e5', 'dev_0001.living', '12345'])('accepts %s', (id) => {
    expect(() => assertNoObviousPii(id)).not.toThrow();
  });
  it('property: opaque hex/uuid-like ids are never flagged', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        expect(() => assertNoObviousPii(id)).not.toThrow();
      }),
    );
  });
});

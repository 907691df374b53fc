import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../src/commands/validate.js';

const seed = {
  UserId: 'Your-End-User-ID',
  Operation: 'DEVICE_EVENT',
  OperationVersion: '1.0',
  StatusCode: 200,
  ConnectorDeviceId: 'Your_Device_Id',
  MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: [{ '0x0000': '3' }] }] },
};

describe('validateDocument', () => {
  it('summarises each fan mode by name', () => {
    for (const [value, name] of [
      [0, 'Off'],
      [1, 'Low'],
      [3, 'High'],
      [5, 'Auto'],
    ] as const) {
      const doc = {
        ...seed,
        MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': value } }] },
      };
      const report = validateDocument(JSON.stringify(doc));
      expect(report.valid && report.summary).toBe(
        `DEVICE_EVENT device=Your_Device_Id endpoint 1: FanControl.FanMode = ${name} (${value})`,
      );
    }
  });

  it('never throws on arbitrary text, and every issue has a path and message', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const report = validateDocument(text);
        if (!report.valid) {
          for (const issue of report.issues) {
            expect(typeof issue.path).toBe('string');
            expect(issue.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutations of the seed event, and a mutation it rejects names a path', () => {
    const paths = [
      'UserId',
      'Operation',
      'OperationVersion',
      'StatusCode',
      'ConnectorDeviceId',
      'MatterEndpoint',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (field, value) => {
        const doc = { ...seed, [field]: value };
        const report = validateDocument(JSON.stringify(doc));
        if (!report.valid) {
          expect(report.issues.length).toBeGreaterThan(0);
          expect(report.issues.some((i) => i.path.startsWith(field) || i.path === '')).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('tells a connector invoke envelope from an event body by its shape', () => {
    const report = validateDocument(JSON.stringify({ header: {}, payload: {} }));
    expect(report.valid).toBe(false);
    expect(report.kind).toBe('ConnectorInvocation');
  });
});

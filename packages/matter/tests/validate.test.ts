import { formatIssue } from '@c2c-kit/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AttributeDef,
  type ClusterDef,
  featureMapOf,
  getCluster,
  listClusters,
  validateAttributeValue,
  validateCommandFields,
  validateMatterEndpoint,
} from '../src/index.js';
import { hostile, messages } from './helpers/fixtures.js';

describe('validateAttributeValue', () => {
  it('accepts valid values and normalises numeric strings', () => {
    expect(validateAttributeValue('0x0202', '0x0000', 3)).toEqual({ ok: true, value: 3 });
    expect(validateAttributeValue('0x0202', '0x0000', '3')).toEqual({ ok: true, value: 3 });
    expect(validateAttributeValue('OnOff', 'OnOff', 'true')).toEqual({ ok: true, value: true });
    expect(validateAttributeValue('FanControl', 'PercentSetting', null)).toEqual({
      ok: true,
      value: null,
    });
    expect(validateAttributeValue('Thermostat', 'LocalTemperature', -500)).toEqual({
      ok: true,
      value: -500,
    });
  });

  it.each([
    [
      'FanControl',
      'FanMode',
      9,
      'FanControl.FanMode: expected FanModeEnum member (0 Off, 1 Low, 2 Medium, 3 High, 5 Auto), got 9',
    ],
    [
      'FanControl',
      'FanMode',
      300,
      'FanControl.FanMode: expected integer 0 to 255 (FanModeEnum, uint8), got 300',
    ],
    [
      'FanControl',
      'FanMode',
      null,
      'FanControl.FanMode: expected non-null FanModeEnum, uint8, got null',
    ],
    [
      'FanControl',
      'FanMode',
      'High',
      'FanControl.FanMode: expected integer (FanModeEnum, uint8), got "High"',
    ],
    [
      'FanControl',
      'FanMode',
      4,
      'FanControl.FanMode: expected FanModeEnum member (0 Off, 1 Low, 2 Medium, 3 High, 5 Auto) (On is deprecated in Matter 1.4), got 4',
    ],
    [
      'FanControl',
      'PercentSetting',
      101,
      'FanControl.PercentSetting: expected integer 0 to 100 (percent, uint8), got 101',
    ],
    [
      'FanControl',
      'PercentSetting',
      2.5,
      'FanControl.PercentSetting: expected integer (percent, uint8), got 2.5',
    ],
    [
      'FanControl',
      'RockSetting',
      8,
      'FanControl.RockSetting: expected RockBitmap bits (bit 0 RockLeftRight, bit 1 RockUpDown, bit 2 RockRound), got 8',
    ],
    ['OnOff', 'OnOff', 1, 'OnOff.OnOff: expected boolean, got 1'],
    [
      'BasicInformation',
      'NodeLabel',
      'x'.repeat(33),
      'BasicInformation.NodeLabel: expected string length at most 32 bytes (UTF-8), got 33',
    ],
    [
      'PowerSource',
      'BatPercentRemaining',
      201,
      'PowerSource.BatPercentRemaining: expected integer 0 to 200 (uint8), got 201',
    ],
  ])('%s.%s = %j is rejected with a precise message', (cluster, attribute, value, message) => {
    expect(messages(validateAttributeValue(cluster, attribute, value))[0]).toBe(message);
  });

  it('checks feature-gated enum members only when the FeatureMap is known', () => {
    const fan = getCluster('FanControl') as ClusterDef;
    expect(validateAttributeValue(fan, 'FanMode', 5).ok).toBe(true);
    expect(
      validateAttributeValue(fan, 'FanMode', 5, { featureMap: featureMapOf(fan, ['AUT']) }).ok,
    ).toBe(true);
    expect(messages(validateAttributeValue(fan, 'FanMode', 5, { featureMap: 0 }))).toEqual([
      'FanControl.FanMode: expected FanModeEnum member (0 Off, 1 Low, 2 Medium, 3 High) (Auto requires feature AUT), got 5',
    ]);
  });

  it('resolves bounds that refer to sibling attributes when they are given', () => {
    expect(validateAttributeValue('FanControl', 'SpeedSetting', 7).ok).toBe(true);
    expect(
      messages(
        validateAttributeValue('FanControl', 'SpeedSetting', 7, { siblings: { SpeedMax: 5 } }),
      ),
    ).toEqual(['FanControl.SpeedSetting: expected integer 0 to 5 (uint8), got 7']);
  });

  it('names unknown clusters and attributes', () => {
    expect(messages(validateAttributeValue('Nope', 0, 1))).toEqual([
      '(root): expected a Matter 1.4 cluster id or name, got "Nope"',
    ]);
    expect(messages(validateAttributeValue('FanControl', 'Nope', 1))).toEqual([
      'FanControl: expected a FanControl attribute id or name, got "Nope"',
    ]);
  });
});

describe('validateCommandFields', () => {
  it('checks field values and mandatory fields, by id or name', () => {
    expect(validateCommandFields('FanControl', 'Step', { '0x00': 0, '0x01': true }).ok).toBe(true);
    expect(validateCommandFields('FanControl', '0x00', { Direction: 1 }).ok).toBe(true);
    expect(messages(validateCommandFields('FanControl', 'Step', { '0x00': 5 }))[0]).toBe(
      'FanControl.Step["0x00"]: expected StepDirectionEnum member (0 Increase, 1 Decrease), got 5',
    );
    expect(messages(validateCommandFields('FanControl', 'Step', { '0x01': true }))).toEqual([
      'FanControl.Step["0x00"]: missing mandatory field Direction of Step',
    ]);
    expect(
      messages(validateCommandFields('FanControl', 'Step', { '0x09': 1, Direction: 0 }))[0],
    ).toMatch(
      /^FanControl\.Step\["0x09"\]: unknown field of Step; expected one of \(0x00 Direction, 0x01 Wrap, 0x02 LowestOff\), got "0x09"$/,
    );
  });
});

describe('validateMatterEndpoint', () => {
  it('validates and normalises the seed DEVICE_EVENT endpoint (array encoding, string value)', () => {
    const r = validateMatterEndpoint({
      id: '1',
      clusters: [{ id: '0x202', attributes: [{ '0x0000': '3' }] }],
    });
    expect(r).toEqual({
      ok: true,
      value: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] },
    });
  });

  it('reports the failing attribute with the protocol path style', () => {
    const r = validateMatterEndpoint({
      id: '1',
      clusters: [{ id: '0x0202', attributes: { '0x0000': 9 } }],
    });
    expect(messages(r)).toEqual([
      'MatterEndpoint.clusters[0].attributes["0x0000"]: expected FanModeEnum member (0 Off, 1 Low, 2 Medium, 3 High, 5 Auto), got 9',
    ]);
  });

  it('reports every problem of a bad endpoint at once', () => {
    const r = validateMatterEndpoint({
      id: 'ep-1',
      clusters: [
        { id: 'fan' },
        { id: '0x0006', attributes: { '0x0000': 'on', zz: 1 } },
        { id: '0x0202', commands: { '0x00': { '0x00': 3 } }, events: [] },
      ],
    });
    expect(messages(r)).toEqual([
      'MatterEndpoint.id: expected endpoint id of 1-64 letters or digits, got "ep-1"',
      'MatterEndpoint.clusters[0].id: expected hex "0x…" or decimal cluster id, got "fan"',
      'MatterEndpoint.clusters[1].attributes["0x0000"]: expected boolean, got "on"',
      'MatterEndpoint.clusters[1].attributes["zz"]: expected hex "0x…" or decimal attribute id, got "zz"',
      'MatterEndpoint.clusters[2].commands["0x00"]["0x00"]: expected StepDirectionEnum member (0 Increase, 1 Decrease), got 3',
      'MatterEndpoint.clusters[2].events: expected an object of event id → fields, got array(0)',
    ]);
  });

  it('uses the FeatureMap carried in the same payload for feature-gated checks', () => {
    const withAuto = {
      id: '1',
      clusters: [{ id: '0x0202', attributes: { '0xFFFC': 2, '0x0000': 5 } }],
    };
    const withoutAuto = {
      id: '1',
      clusters: [{ id: '0x0202', attributes: { '0xFFFC': 0, '0x0000': 5 } }],
    };
    expect(validateMatterEndpoint(withAuto).ok).toBe(true);
    expect(messages(validateMatterEndpoint(withoutAuto))[0]).toMatch(/Auto requires feature AUT/);
    // An attribute whose feature is off is reported too (SpeedSetting needs SPD).
    const speed = {
      id: '1',
      clusters: [{ id: '0x0202', attributes: { '0xFFFC': 0, '0x0005': 1 } }],
    };
    expect(messages(validateMatterEndpoint(speed))[0]).toMatch(
      /SpeedSetting is not allowed with this FeatureMap \(conformance SPD\)/,
    );
  });

  it('checks bounds that refer to attributes sent in the same payload', () => {
    const fan = (speed: unknown) => ({
      id: '1',
      clusters: [{ id: '0x0202', attributes: { '0x0004': '5', '0x0005': speed } }],
    });
    expect(validateMatterEndpoint(fan(5)).ok).toBe(true);
    expect(messages(validateMatterEndpoint(fan(7)))).toEqual([
      'MatterEndpoint.clusters[0].attributes["0x0005"]: expected integer 0 to 5 (uint8), got 7',
    ]);
  });

  it('rejects unknown standard ids, passes manufacturer-specific ones, and can ignore unknowns', () => {
    const modelExample = {
      id: '1',
      clusters: [
        {
          id: '0x1003',
          attributes: { '0x0000': [73], '0x15570003': 'exampleString' },
          commands: { '0x03': {} },
        },
      ],
    };
    expect(messages(validateMatterEndpoint(modelExample))).toEqual([
      'MatterEndpoint.clusters[0].id: expected a Matter 1.4 cluster id, got "0x1003"',
    ]);
    expect(validateMatterEndpoint(modelExample, { unknown: 'ignore' }).ok).toBe(true);
    const vendor = {
      id: '1',
      clusters: [{ id: '0x0202', attributes: { '0x0000': 3, '0x15570003': 'x' } }],
    };
    expect(validateMatterEndpoint(vendor).ok).toBe(true);
  });

  it('limits commands and events to 1–5 per cluster, as the model does', () => {
    const six = Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [`0x0${i}`, {}]));
    const r = validateMatterEndpoint({
      id: '1',
      clusters: [{ id: '0x0101', events: six, commands: {} }],
    });
    expect(messages(r).filter((m) => m.includes('per cluster'))).toEqual([
      'MatterEndpoint.clusters[0].commands: expected 1 to 5 commands per cluster (got 0)',
      'MatterEndpoint.clusters[0].events: expected 1 to 5 events per cluster (got 6)',
    ]);
  });

  it('accepts command entries with responseCode and errors (DEVICE_COMMAND_RESPONSE)', () => {
    const r = validateMatterEndpoint({
      id: '1',
      clusters: [{ id: '0x0006', commands: { '0x01': { responseCode: 200 } } }],
    });
    expect(r.ok).toBe(true);
  });

  it('checks event fields (DoorLock LockOperation)', () => {
    const ok = {
      id: '1',
      clusters: [
        {
          id: '0x0101',
          events: { '0x02': { '0x00': 0, '0x01': 7, '0x02': null, '0x03': null, '0x04': null } },
        },
      ],
    };
    expect(validateMatterEndpoint(ok).ok).toBe(true);
    const bad = {
      id: '1',
      clusters: [
        {
          id: '0x0101',
          events: { '0x02': { '0x00': 0, '0x01': 99, '0x02': null, '0x03': null, '0x04': null } },
        },
      ],
    };
    expect(messages(validateMatterEndpoint(bad))[0]).toMatch(
      /^MatterEndpoint\.clusters\[0\]\.events\["0x02"\]\["0x01"\]: expected OperationSourceEnum member/,
    );
  });
});

/** A value that must validate for an attribute spec (or undefined when none can be made simply). */
function validValue(cluster: ClusterDef, a: AttributeDef): fc.Arbitrary<unknown> | undefined {
  const bits = /^(u?int|enum|map)(8|16|24|32)$/.exec(a.base ?? a.type);
  switch (a.kind) {
    case 'bool':
      return fc.boolean();
    case 'enum': {
      const def = a.ref === undefined ? undefined : cluster.datatypes[a.ref];
      if (def?.kind !== 'enum') return undefined;
      const ok = def.members.filter(
        (m) => m.conformance === 'M' || m.conformance === 'O' || m.conformance === 'desc',
      );
      return ok.length === 0 ? undefined : fc.constantFrom(...ok.map((m) => m.value));
    }
    case 'int': {
      if (bits === null || typeof a.min === 'string' || typeof a.max === 'string') return undefined;
      const signed = bits[1] === 'int';
      const width = Number(bits[2]);
      let lo = signed ? -(2 ** (width - 1)) + 1 : 0;
      let hi = signed ? 2 ** (width - 1) - 2 : 2 ** width - 2;
      if (typeof a.min === 'number') lo = Math.max(lo, a.min);
      if (typeof a.max === 'number') hi = Math.min(hi, a.max);
      return lo > hi ? undefined : fc.integer({ min: lo, max: hi });
    }
    case 'string':
      return typeof a.max === 'number'
        ? fc
            .string({ maxLength: a.max, unit: 'binary-ascii' })
            .filter((s) => s.length >= (typeof a.min === 'number' ? a.min : 0))
        : undefined;
    default:
      return undefined;
  }
}

const simpleAttributes = listClusters().flatMap((c) =>
  c.attributes
    .filter((a) => a.id < 0xf000)
    .flatMap((a) => {
      const arb = validValue(c, a);
      return arb === undefined ? [] : [{ c, a, arb }];
    }),
);

describe('validation properties', () => {
  it('covers a meaningful share of the table with generated valid values', () => {
    expect(simpleAttributes.length).toBeGreaterThan(400);
  });

  it('random valid values of random attributes pass, as numbers and as numeric strings', () => {
    fc.assert(
      fc.property(fc.constantFrom(...simpleAttributes), fc.nat(), ({ c, a, arb }, seed) => {
        const [value] = fc.sample(arb, { numRuns: 1, seed });
        const r = validateAttributeValue(c, a, value);
        expect(messages(r)).toEqual([]);
        if (typeof value === 'number')
          expect(validateAttributeValue(c, a, String(value))).toEqual({ ok: true, value });
      }),
      { numRuns: 500 },
    );
  });

  it('random junk never throws, for attributes and whole endpoints', () => {
    const clusters = listClusters();
    fc.assert(
      fc.property(fc.nat(clusters.length - 1), fc.nat(), hostile(), (ci, ai, junk) => {
        const c = clusters[ci] as ClusterDef;
        const a = c.attributes[ai % c.attributes.length] as AttributeDef;
        const r = validateAttributeValue(c, a, junk);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok)
          for (const i of r.issues) expect(formatIssue(i)).toContain(`${c.name}.${a.name}`);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(hostile(), (junk) => {
        expect(typeof validateMatterEndpoint(junk).ok).toBe('boolean');
        expect(typeof validateMatterEndpoint({ id: '1', clusters: [junk] }).ok).toBe('boolean');
        expect(
          typeof validateMatterEndpoint({
            id: '1',
            clusters: [{ id: '0x0202', attributes: junk, commands: junk, events: junk }],
          }).ok,
        ).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('secrets stay out of errors and descriptions', () => {
  it('redacts a PIN code that fails validation, keeping path and constraint', () => {
    const r = validateCommandFields('DoorLock', 'LockDoor', { PinCode: 1234 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      {
        path: 'DoorLock.LockDoor["PinCode"]',
        message: 'expected octet string (hex/base64 string or array of 0-255)',
        received: '<redacted>',
      },
    ]);
    expect(messages(r).join('\n')).not.toContain('1234');
  });

  it('does not redact plain values of ordinary attributes', () => {
    const r = validateAttributeValue('FanControl', 'FanMode', 9);
    expect(r.ok || r.issues[0]?.received).toBe(9);
  });
});

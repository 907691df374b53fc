import type { MatterCapabilityReport } from '@c2c-kit/protocol';

/** A fan's capability report (OnOff + FanControl), optionally with an extra attribute. */
export function fanReport(extraAttribute = false): MatterCapabilityReport {
  return {
    version: '1.0.0',
    endpoints: [
      {
        id: '1',
        deviceTypes: ['Fan'],
        clusters: [
          { id: '0x0006', revision: 6, attributes: [{ id: '0x0000' }], commands: ['0x00', '0x01'] },
          {
            id: '0x0202',
            revision: 4,
            attributes: extraAttribute
              ? [{ id: '0x0000' }, { id: '0x0002' }, { id: '0x0004' }]
              : [{ id: '0x0000' }, { id: '0x0002' }],
          },
        ],
      },
    ],
  } as MatterCapabilityReport;
}

/**
 * The `Endpoints` of a SendManagedThingCommand that sets a fan's FanMode (3 is High), as a
 * customer sends it to a thing discovered with `fanReport`.
 */
export function fanModeEndpoints(mode: number) {
  return [
    {
      endpointId: '1',
      capabilities: [
        {
          id: 'matter.FanControl@1.4',
          name: 'Fan Control',
          version: '4',
          actions: [{ name: 'FanMode', parameters: { FanMode: mode } }],
        },
      ],
    },
  ];
}

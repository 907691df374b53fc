/**
 * Validation + normalisation throughput of SendConnectorEvent bodies, next to JSON.parse of the
 * same body measured in the same process (the baseline: what merely reading the payload costs).
 *
 *   npm run bench -- protocol     (builds first; imports @c2c-kit/protocol from dist/)
 *
 * Bodies:
 *   DEVICE_EVENT     the docs' seed event made valid JSON (array-form attributes → normalised)
 *   DEVICE_DISCOVERY one device whose capability report has 50 endpoints (the model's maximum),
 *                    each with 3 clusters of 3 attributes, 2 commands and device types
 */
import { validateSendConnectorEventRequest } from '@c2c-kit/protocol';
import { Bench } from 'tinybench';
import { reportFigure } from '../../../scripts/bench-figure.js';

const event = {
  ConnectorId: 'Your-Connector-Id',
  UserId: 'Your-End-User-ID',
  Operation: 'DEVICE_EVENT',
  OperationVersion: '1.0',
  StatusCode: 200,
  Message: null,
  ConnectorDeviceId: 'Your_Device_Id',
  MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: [{ '0x0000': '3' }] }] },
};
const cluster = (id: string) => ({
  id,
  revision: 4,
  publicId: 'matter.FanControl@1.4',
  name: 'Fan Control',
  specVersion: '1.4',
  attributes: [
    { id: '0x0000', value: 3 },
    { id: '0x0001', value: 2 },
    { id: '0x0002', value: 60 },
  ],
  commands: ['0x00', '0x01'],
  events: [],
});
const discovery = {
  ConnectorId: 'Your-Connector-Id',
  UserId: 'Your-End-User-ID',
  Operation: 'DEVICE_DISCOVERY',
  OperationVersion: '1.0',
  StatusCode: 200,
  DeviceDiscoveryId: '358275hbk3qr',
  Devices: [
    {
      ConnectorDeviceId: 'hub-1',
      ConnectorDeviceName: 'Living room hub',
      CapabilityReport: {
        version: '1.0.0',
        nodeId: '1',
        endpoints: Array.from({ length: 50 }, (_, i) => ({
          id: `${i + 1}`,
          deviceTypes: ['Fan', 'OnOffLight'],
          clusters: [cluster('0x0202'), cluster('0x0006'), cluster('0x0008')],
        })),
      },
    },
  ],
};
const eventText = JSON.stringify(event);
const discoveryText = JSON.stringify(discovery);

for (const [what, text] of [
  ['DEVICE_EVENT', eventText],
  ['DEVICE_DISCOVERY', discoveryText],
] as const) {
  // A benchmark of a failing path would measure the wrong thing.
  const r = validateSendConnectorEventRequest(JSON.parse(text));
  if (!r.ok) throw new Error(`bench setup: ${what} does not validate: ${JSON.stringify(r.issues)}`);
}
const parsedEvent = JSON.parse(eventText) as unknown;
const parsedDiscovery = JSON.parse(discoveryText) as unknown;

const bench = new Bench({ time: 1000, warmupTime: 200 });
let sink: unknown;
bench
  .add('baseline: JSON.parse(DEVICE_EVENT)', () => {
    sink = JSON.parse(eventText);
  })
  .add('validate+normalise(DEVICE_EVENT)', () => {
    sink = validateSendConnectorEventRequest(parsedEvent);
  })
  .add('JSON.parse + validate+normalise(DEVICE_EVENT)', () => {
    sink = validateSendConnectorEventRequest(JSON.parse(eventText));
  })
  .add('baseline: JSON.parse(DEVICE_DISCOVERY)', () => {
    sink = JSON.parse(discoveryText);
  })
  .add('validate+normalise(DEVICE_DISCOVERY)', () => {
    sink = validateSendConnectorEventRequest(parsedDiscovery);
  })
  .add('JSON.parse + validate+normalise(DEVICE_DISCOVERY)', () => {
    sink = validateSendConnectorEventRequest(JSON.parse(discoveryText));
  });

await bench.run();
void sink;

const hz = new Map<string, number>();
for (const task of bench.tasks) {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
  hz.set(task.name, r.throughput.mean);
}
console.table(
  bench.tasks.map((task) => {
    const ops = hz.get(task.name) ?? 0;
    const which = task.name.includes('DISCOVERY') ? 'DEVICE_DISCOVERY' : 'DEVICE_EVENT';
    const base = hz.get(`baseline: JSON.parse(${which})`) ?? ops;
    return {
      task: task.name,
      'ops/s': Math.round(ops).toLocaleString('en-US'),
      'µs/op': (1e6 / ops).toFixed(2),
      'vs JSON.parse': task.name.startsWith('baseline') ? '1.00' : (ops / base).toFixed(2),
    };
  }),
);
const eventOps = hz.get('validate+normalise(DEVICE_EVENT)') ?? 0;
console.log(
  `DEVICE_EVENT ${eventText.length} B, DEVICE_DISCOVERY ${discoveryText.length} B (50 endpoints); Node ${process.version}`,
);
console.log(
  `goal ≥ 200,000 DEVICE_EVENT validations/s: ${Math.round(eventOps).toLocaleString('en-US')}/s — ${eventOps >= 200_000 ? 'met' : 'NOT met'}`,
);
reportFigure({
  name: 'protocol: validate + normalise a DEVICE_EVENT',
  value: `${Math.round(eventOps).toLocaleString('en-US')} /s`,
  baseline: `JSON.parse ${Math.round(hz.get('baseline: JSON.parse(DEVICE_EVENT)') ?? 0).toLocaleString('en-US')} /s`,
  goal: '≥ 200,000 /s',
  met: eventOps >= 200_000,
});

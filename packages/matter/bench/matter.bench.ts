/**
 * Matter validation and conversion throughput, next to JSON.parse of the same endpoint measured in
 * the same process (the baseline: what merely reading the payload costs).
 *
 *   npm run bench -- matter     (builds first; imports @c2c-kit/matter from dist/)
 */
import {
  capabilityActionsToMatter,
  describeMatterEndpoint,
  fanControl,
  type MatterEndpoint,
  matterEndpoint,
  onOff,
  thermostat,
  toCapabilityEndpoint,
  validateMatterEndpoint,
} from '@c2c-kit/matter';
import { Bench } from 'tinybench';

// The seed DEVICE_EVENT endpoint (array encoding, value as a string) and a richer, typical one.
const seed = { id: '1', clusters: [{ id: '0x0202', attributes: [{ '0x0000': '3' }] }] };
const typical: MatterEndpoint = matterEndpoint(
  '1',
  fanControl.fanMode('High'),
  fanControl.percentSetting(60),
  fanControl.percentCurrent(60),
  onOff.onOff(true),
  thermostat.localTemperature(21.5),
);
const seedText = JSON.stringify(seed);
const typicalText = JSON.stringify(typical);

function check(ok: boolean, what: string): void {
  // A benchmark of a failing path would measure the wrong thing.
  if (!ok) throw new Error(`bench setup: ${what} failed`);
}
// A SendManagedThingCommand endpoint (customer form) for the reverse direction.
const command = {
  endpointId: '1',
  capabilities: [
    {
      id: 'matter.FanControl@1.4',
      name: 'Fan Control',
      version: '4',
      actions: [{ name: 'Step', parameters: { Direction: 0, Wrap: true } }],
    },
    { id: 'matter.OnOff@1.4', name: 'On/Off', version: '6', actions: [{ name: 'On' }] },
  ],
};
const commandText = JSON.stringify(command);
check(capabilityActionsToMatter(command).ok, 'command conversion');
check(validateMatterEndpoint(seed).ok, 'seed validation');
check(validateMatterEndpoint(typical).ok, 'typical validation');

const bench = new Bench({ time: 1000, warmupTime: 200 });
let sink: unknown;
bench
  .add('baseline: JSON.parse(seed endpoint)', () => {
    sink = JSON.parse(seedText);
  })
  .add('validateMatterEndpoint(seed endpoint)', () => {
    sink = validateMatterEndpoint(seed);
  })
  .add('baseline: JSON.parse(typical endpoint)', () => {
    sink = JSON.parse(typicalText);
  })
  .add('validateMatterEndpoint(typical endpoint)', () => {
    sink = validateMatterEndpoint(typical);
  })
  .add('toCapabilityEndpoint(typical endpoint)', () => {
    sink = toCapabilityEndpoint(typical);
  })
  .add('describeMatterEndpoint(typical endpoint)', () => {
    sink = describeMatterEndpoint(typical);
  })
  .add('baseline: JSON.parse(command endpoint)', () => {
    sink = JSON.parse(commandText);
  })
  .add('capabilityActionsToMatter(command endpoint)', () => {
    sink = capabilityActionsToMatter(command);
  });

await bench.run();
void sink;

const hz = new Map<string, number>();
for (const task of bench.tasks) {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
  hz.set(task.name, r.throughput.mean);
}
const rows = bench.tasks.map((task) => {
  const ops = hz.get(task.name) ?? 0;
  const which = task.name.includes('seed')
    ? 'seed'
    : task.name.includes('command')
      ? 'command'
      : 'typical';
  const base = hz.get(`baseline: JSON.parse(${which} endpoint)`);
  return {
    task: task.name,
    'ops/s': Math.round(ops).toLocaleString('en-US'),
    'µs/op': (1e6 / ops).toFixed(2),
    'vs JSON.parse': task.name.startsWith('baseline') ? '1.00' : (ops / (base ?? ops)).toFixed(2),
  };
});
console.table(rows);
console.log(
  `typical endpoint: ${typical.clusters.length} clusters, ${typicalText.length} bytes; Node ${process.version}`,
);

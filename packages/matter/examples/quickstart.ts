import {
  capabilityActionsToMatter,
  capabilityReport,
  describeMatterEndpoint,
  fanControl,
  matterEndpoint,
  onOff,
  presetEndpoint,
  toCapabilityEndpoint,
  validateMatterEndpoint,
} from '@c2c-kit/matter';
import { formatIssue } from '@c2c-kit/protocol';

// 1. A connector reports a state change: write intent, get Matter ids.
const event = matterEndpoint(
  '1',
  fanControl.fanMode('High'),
  fanControl.percentCurrent(80),
  onOff.onOff(true),
);
console.log(JSON.stringify(event));
console.log(describeMatterEndpoint(event).join('; '));

// 2. Validate what a device cloud sent (the seed example: array encoding, value as a string).
const seed = validateMatterEndpoint({
  id: '1',
  clusters: [{ id: '0x0202', attributes: [{ '0x0000': '3' }] }],
});
if (seed.ok) console.log(JSON.stringify(seed.value));
const bad = validateMatterEndpoint({
  id: '1',
  clusters: [{ id: '0x0202', attributes: { '0x0000': 9 } }],
});
if (!bad.ok) console.log(bad.issues.map(formatIssue).join('\n'));

// 3. What the customer sees, and a customer command on its way to the connector.
console.log(JSON.stringify(toCapabilityEndpoint(event).capabilities[0]));
const command = capabilityActionsToMatter({
  endpointId: '1',
  capabilities: [
    {
      id: 'matter.FanControl@1.4',
      name: 'Fan Control',
      version: '4',
      actions: [{ name: 'Step', parameters: { Direction: 0 } }],
    },
  ],
});
if (command.ok) console.log(JSON.stringify(command.value));

// 4. The capability report of a discovered fan.
const report = capabilityReport({ nodeId: 'fan-1', endpoints: [presetEndpoint('fan', '1')] });
console.log(
  JSON.stringify(report.endpoints[0]?.clusters.map((c) => [c.id, c.publicId, c.revision])),
);

// Validate a connector event body the way managed integrations would, then build the Lambda
// invocation MI sends for a command. Run: npx tsx packages/protocol/examples/quickstart.ts
import {
  buildInvocation,
  formatIssue,
  OPERATIONS,
  parseJson,
  validateConnectorInvocation,
  validateSendConnectorEventRequest,
} from '@c2c-kit/protocol';

const body = `{"Operation":"DEVICE_EVENT","ConnectorDeviceId":"fan-1",
  "MatterEndpoint":{"id":"1","clusters":[{"id":"0x0202","attributes":[{"0x0000":3}]}]}}`;

const parsed = parseJson(body);
if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('\n'));

// ConnectorId is the URI label of POST /connector-event/{ConnectorId}.
const { method, uri, successCode } = OPERATIONS.SendConnectorEvent;
const event = validateSendConnectorEventRequest({
  ConnectorId: 'c-1',
  ...(parsed.value as object),
});
if (event.ok) {
  console.log(`${method} ${uri} → ${successCode}`, JSON.stringify(event.value.MatterEndpoint));
  // POST /connector-event/{ConnectorId} → 202 {"id":"1","clusters":[{"id":"0x0202","attributes":{"0x0000":3}}]}
}

const bad = validateSendConnectorEventRequest({ ConnectorId: 'c-1', Operation: 'DEVICE_EVNT' });
if (!bad.ok) for (const issue of bad.issues) console.log(formatIssue(issue));
// Operation: expected one of "DEVICE_COMMAND_RESPONSE", "DEVICE_DISCOVERY", "DEVICE_EVENT", "DEVICE_COMMAND_REQUEST", got "DEVICE_EVNT"

const invocation = buildInvocation({
  operationName: 'AWS.SendCommand',
  auth: { type: 'OAuth2.0', token: 'end-user-access-token' },
  connectorId: 'c-1',
  connectorDeviceId: 'fan-1',
  traceId: '9b75f3839b6140f=_1',
  endpoints: [{ id: '1', clusters: [{ id: '0x0006', commands: { '0x01': {} } }] }],
});
console.log(validateConnectorInvocation(invocation).ok); // true

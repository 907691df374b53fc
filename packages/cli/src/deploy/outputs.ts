// The stack outputs after a deploy (AWS or local), and the step that follows: link an account.
import { type CliIo, writeLine } from '../io.js';

/**
 * CDK names outputs `<path><Name><hash>`; the C2cConnector's are found by their `<Name>` (one per
 * connector of the stack).
 */
export function findOutputs(outputs: Readonly<Record<string, string>>, name: string): string[] {
  const named = new RegExp(`${name}(?:[0-9A-F]{8})?$`);
  return Object.keys(outputs)
    .filter((k) => named.test(k))
    .map((k) => outputs[k] as string);
}

function findOutput(outputs: Readonly<Record<string, string>>, name: string): string | undefined {
  return findOutputs(outputs, name)[0];
}

export interface NextStepTarget {
  readonly region: string;
  /** The emulator's URL for a local deploy; the AWS endpoint otherwise. */
  readonly endpoint?: string;
}

/** Prints every output, then how to create the account association that links a test account. */
export function printOutputsAndNextStep(
  io: CliIo,
  stackName: string,
  outputs: Readonly<Record<string, string>>,
  target: NextStepTarget,
): void {
  const names = Object.keys(outputs).sort();
  writeLine(io.stdout, `outputs of ${stackName}:`);
  const width = Math.max(0, ...names.map((n) => n.length));
  for (const name of names) writeLine(io.stdout, `  ${name.padEnd(width)}  ${outputs[name]}`);
  const cli = `aws iot-managed-integrations --region ${target.region}${target.endpoint ? ` --endpoint-url ${target.endpoint}` : ''}`;
  const destination = findOutput(outputs, 'ConnectorDestinationId');
  const connector = findOutput(outputs, 'ConnectorId');
  writeLine(io.stdout);
  if (destination !== undefined) {
    writeLine(
      io.stdout,
      'next: link a test account (the service invokes the connector with AWS.ActivateUser):',
    );
    writeLine(
      io.stdout,
      `  ${cli} create-account-association --connector-destination-id ${destination} --name test-home`,
    );
    writeLine(
      io.stdout,
      '  then open the OAuthAuthorizationUrl it returns and sign in with a vendor test user',
    );
  } else if (connector !== undefined) {
    writeLine(
      io.stdout,
      'next: this connector has no ConnectorDestination yet; give the construct a `destination`,',
    );
    writeLine(
      io.stdout,
      `  or create one (${cli} create-connector-destination --cloud-connector-id ${connector} …),`,
    );
    writeLine(io.stdout, '  then create-account-association with its id to link a test account');
  }
  const url = findOutput(outputs, 'FunctionUrl');
  if (url !== undefined)
    writeLine(io.stdout, `webhooks: give the vendor ${url} as the webhook URL`);
}

/** The outputs of a local deploy's record, by output name. */
export function outputValues(outputs: Record<string, { value: string }>): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

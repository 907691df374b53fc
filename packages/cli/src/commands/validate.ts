import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  formatIssue,
  parseJson,
  redactInvocation,
  type ValidationIssue,
  validateConnectorInvocation,
  validateSendConnectorEventRequest,
} from '@c2c-kit/protocol';
import { parseCommandArgs } from '../args.js';
import {
  summariseInvocation,
  summariseSendConnectorEvent,
  validateEndpoints,
} from '../describe.js';
import { InputReadError, UsageError } from '../errors.js';
import { type CliIo, readAll, writeLine } from '../io.js';

export const VALIDATE_HELP = `Usage: c2c validate <file|-> [options]

Validates a SendConnectorEvent request body, or a Lambda invoke envelope sent to a connector
(detected by its shape: an object with "header" and "payload"), against the managed-integrations
model and the Matter 1.4 data model. Prints "valid" and a one-line summary, or every error with
its field path. Use "-" to read from standard input.

Options:
  --json                 print one JSON object instead of text
  --connector-id <id>    ConnectorId for a body without one (it is the URI label on the wire;
                         default "local-connector")
  -h, --help             show this help

Exit status: 0 valid, 1 invalid or unreadable input, 2 usage error.

Example:
  $ c2c validate fan-event.json
  valid
  DEVICE_EVENT device=Your_Device_Id endpoint 1: FanControl.FanMode = High (3)`;

/** What a file turned out to be. */
export type InputKind = 'SendConnectorEvent' | 'ConnectorInvocation';

/** The machine-readable outcome (`--json`). */
export type ValidateReport =
  | {
      readonly valid: true;
      readonly kind: InputKind;
      readonly summary: string;
      readonly value: unknown;
    }
  | {
      readonly valid: false;
      readonly kind: InputKind | 'json';
      readonly issues: readonly ValidationIssue[];
    };

/** Validates one document's text. Pure: no I/O, so tests and the dashboard can reuse it. */
export function validateDocument(text: string, connectorId = 'local-connector'): ValidateReport {
  const parsed = parseJson(text);
  if (!parsed.ok) return { valid: false, kind: 'json', issues: parsed.issues };
  const doc = parsed.value;
  if (isInvocationShape(doc)) {
    const result = validateConnectorInvocation(doc);
    if (!result.ok) return { valid: false, kind: 'ConnectorInvocation', issues: result.issues };
    const endpointIssues = validateEndpoints(result.value, 'payload.endpoints');
    if (endpointIssues.length > 0) {
      return { valid: false, kind: 'ConnectorInvocation', issues: endpointIssues };
    }
    return {
      valid: true,
      kind: 'ConnectorInvocation',
      summary: summariseInvocation(result.value),
      // The access token is a secret: never echo it back, even to the developer's terminal.
      value: redactInvocation(result.value),
    };
  }
  // ConnectorId travels in the URI, so a saved body usually lacks it; validate the body as the
  // service would see it after routing.
  const withId =
    doc !== null && typeof doc === 'object' && !Array.isArray(doc) && !('ConnectorId' in doc)
      ? { ConnectorId: connectorId, ...doc }
      : doc;
  const result = validateSendConnectorEventRequest(withId);
  if (!result.ok) return { valid: false, kind: 'SendConnectorEvent', issues: result.issues };
  const endpointIssues = validateEndpoints(result.value, 'MatterEndpoint');
  if (endpointIssues.length > 0) {
    return { valid: false, kind: 'SendConnectorEvent', issues: endpointIssues };
  }
  return {
    valid: true,
    kind: 'SendConnectorEvent',
    summary: summariseSendConnectorEvent(result.value),
    value: result.value,
  };
}

function isInvocationShape(doc: unknown): boolean {
  return (
    doc !== null &&
    typeof doc === 'object' &&
    !Array.isArray(doc) &&
    'header' in doc &&
    'payload' in doc
  );
}

/** `c2c validate`: returns the exit status. */
export async function runValidate(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(
    'validate',
    argv,
    { json: { type: 'boolean' }, 'connector-id': { type: 'string' } },
    1,
  );
  if (args.values.help === true) {
    writeLine(io.stdout, VALIDATE_HELP);
    return 0;
  }
  const file = args.positionals[0];
  if (file === undefined) {
    throw new UsageError('validate', 'missing <file|-> (a JSON file, or "-" for standard input)');
  }
  const connectorId = args.values['connector-id'];
  const text = await readInput(file, io);
  const report = validateDocument(text, typeof connectorId === 'string' ? connectorId : undefined);
  const label = file === '-' ? '<stdin>' : file;
  if (args.values.json === true) {
    writeLine(io.stdout, JSON.stringify({ file: label, ...report }));
  } else if (report.valid) {
    writeLine(io.stdout, 'valid');
    writeLine(io.stdout, report.summary);
  } else {
    const what = report.kind === 'json' ? 'not valid JSON' : `invalid ${report.kind}`;
    const count = report.issues.length === 1 ? '1 error' : `${report.issues.length} errors`;
    writeLine(io.stdout, `${label}: ${what} (${count})`);
    for (const issue of report.issues) writeLine(io.stdout, `  ${formatIssue(issue)}`);
  }
  return report.valid ? 0 : 1;
}

async function readInput(file: string, io: CliIo): Promise<string> {
  if (file === '-') return readAll(io.stdin);
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String((error as Error).message);
    throw new InputReadError(file, reason, { cause: error });
  }
}

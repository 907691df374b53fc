import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  formatIssue,
  isOperationName,
  joinPath,
  OPERATIONS,
  type OperationName,
  parseJson,
  redactInvocation,
  type ValidationIssue,
  validateConnectorInvocation,
  validateOperationInput,
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

export const VALIDATE_HELP = `Usage: c2c validate <file|->... [options]

Validates each document against the managed-integrations model and the Matter 1.4 data model:
  - a SendConnectorEvent request body (the default);
  - a Lambda invoke envelope sent to a connector (an object with "header" and "payload");
  - a model example, {"operation", "input", "output"?, "error"?}: the input is checked as that
    operation's input, and an example with "error" is invalid (the service answers it with that
    error), whatever its input;
  - with --operation, the input of any of the model's operations.
Prints "valid" and a one-line summary, or every error with its field path; a cluster Matter 1.4
does not define is accepted (the model accepts it) with a warning line. Use "-" to read from
standard input. With several files, each result line starts with the file's name.

Options:
  --operation <Name>     validate the document as this operation's input (e.g. GetCloudConnector)
  --json                 print one JSON object per file instead of text
  --connector-id <id>    ConnectorId for a SendConnectorEvent body without one (it is the URI
                         label on the wire; default "local-connector")
  -h, --help             show this help

Exit status: 0 all valid, 1 any invalid or unreadable input, 2 usage error (an unknown
--operation among them).

Example:
  $ c2c validate fan-event.json
  valid
  DEVICE_EVENT device=Your_Device_Id endpoint 1: FanControl.FanMode = High (3)`;

/** What a document turned out to be: an operation's input, or a connector invoke envelope. */
export type InputKind = OperationName | 'ConnectorInvocation';

/** The machine-readable outcome (`--json`). */
export type ValidateReport =
  | {
      readonly valid: true;
      readonly kind: InputKind;
      readonly summary: string;
      readonly value: unknown;
      /** What the model accepts but cannot be checked (a cluster Matter 1.4 does not define). */
      readonly warnings: readonly string[];
    }
  | {
      readonly valid: false;
      /** `ModelExample`: a model example naming no operation of the model. */
      readonly kind: InputKind | 'json' | 'ModelExample';
      readonly issues: readonly ValidationIssue[];
    };

/**
 * Validates one document's text. Pure: no I/O, so tests and the dashboard can reuse it.
 * `operation` names the operation whose input the document is (else it is detected: see
 * VALIDATE_HELP).
 */
export function validateDocument(
  text: string,
  connectorId = 'local-connector',
  operation?: OperationName,
): ValidateReport {
  const parsed = parseJson(text);
  if (!parsed.ok) return { valid: false, kind: 'json', issues: parsed.issues };
  const doc = parsed.value;
  if (operation !== undefined) return validateInput(operation, doc, connectorId, '');
  if (isInvocationShape(doc)) return validateInvocation(doc);
  if (isExampleShape(doc)) return validateExample(doc, connectorId);
  return validateInput('SendConnectorEvent', doc, connectorId, '');
}

/** The names of the model's operations, for the usage error of an unknown `--operation`. */
export function operationNames(): readonly OperationName[] {
  return (Object.keys(OPERATIONS) as OperationName[]).sort();
}

function validateInvocation(doc: unknown): ValidateReport {
  const result = validateConnectorInvocation(doc);
  if (!result.ok) return { valid: false, kind: 'ConnectorInvocation', issues: result.issues };
  const endpoints = validateEndpoints(result.value, 'payload.endpoints');
  if (endpoints.issues.length > 0) {
    return { valid: false, kind: 'ConnectorInvocation', issues: endpoints.issues };
  }
  return {
    valid: true,
    kind: 'ConnectorInvocation',
    summary: summariseInvocation(result.value),
    // The access token is a secret: never echo it back, even to the developer's terminal.
    value: redactInvocation(result.value),
    warnings: endpoints.warnings,
  };
}

/** A model example as generated from `smithy.api#examples`: `{operation, input, error?}`. */
function validateExample(doc: Record<string, unknown>, connectorId: string): ValidateReport {
  const name = doc.operation;
  if (!isOperationName(name)) {
    return {
      valid: false,
      kind: 'ModelExample',
      issues: [
        {
          path: 'operation',
          message: `expected one of the model's ${operationNames().length} operations`,
          received: name,
        },
      ],
    };
  }
  const report = validateInput(name, doc.input, connectorId, 'input');
  if (!report.valid || doc.error === undefined) return report;
  const error = isRecord(doc.error) ? doc.error : {};
  const shape = String(error.shapeId ?? 'an error').replace(/^.*#/, '');
  const content = isRecord(error.content) ? error.content : {};
  const said = typeof content.Message === 'string' ? `: ${content.Message}` : '';
  return {
    valid: false,
    kind: name,
    issues: [
      {
        path: 'error',
        message: `the model's error path: the service answers this ${name} with ${shape}${said}`,
        received: error.shapeId,
      },
    ],
  };
}

function validateInput(
  operation: OperationName,
  doc: unknown,
  connectorId: string,
  prefix: string,
): ValidateReport {
  if (operation !== 'SendConnectorEvent') {
    const result = validateOperationInput(operation, doc);
    if (!result.ok) {
      return { valid: false, kind: operation, issues: prefixed(result.issues, prefix) };
    }
    const keys = isRecord(result.value) ? Object.keys(result.value) : [];
    return {
      valid: true,
      kind: operation,
      summary: `${operation} input${keys.length > 0 ? `: ${keys.join(', ')}` : ' (no members)'}`,
      value: result.value,
      warnings: [],
    };
  }
  // ConnectorId travels in the URI, so a saved body usually lacks it; validate the body as the
  // service would see it after routing.
  const withId =
    isRecord(doc) && !('ConnectorId' in doc) ? { ConnectorId: connectorId, ...doc } : doc;
  const result = validateSendConnectorEventRequest(withId);
  if (!result.ok) {
    return { valid: false, kind: operation, issues: prefixed(result.issues, prefix) };
  }
  const endpoints = validateEndpoints(result.value, 'MatterEndpoint');
  if (endpoints.issues.length > 0) {
    return { valid: false, kind: operation, issues: prefixed(endpoints.issues, prefix) };
  }
  return {
    valid: true,
    kind: operation,
    summary: summariseSendConnectorEvent(result.value),
    value: result.value,
    warnings: endpoints.warnings.map((w) => (prefix === '' ? w : `${prefix}.${w}`)),
  };
}

function prefixed(issues: readonly ValidationIssue[], prefix: string): ValidationIssue[] {
  if (prefix === '') return [...issues];
  return issues.map((issue) => ({
    ...issue,
    path: issue.path === '' ? prefix : joinPath(prefix, issue.path),
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isInvocationShape(doc: unknown): boolean {
  return isRecord(doc) && 'header' in doc && 'payload' in doc;
}

/** The model's examples name their operation and wrap its input; no operation input has both. */
function isExampleShape(doc: unknown): doc is Record<string, unknown> {
  return isRecord(doc) && typeof doc.operation === 'string' && 'input' in doc;
}

/** `c2c validate`: returns the exit status. */
export async function runValidate(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(
    'validate',
    argv,
    {
      json: { type: 'boolean' },
      'connector-id': { type: 'string' },
      operation: { type: 'string' },
    },
    Number.POSITIVE_INFINITY,
  );
  if (args.values.help === true) {
    writeLine(io.stdout, VALIDATE_HELP);
    return 0;
  }
  if (args.positionals.length === 0) {
    throw new UsageError('validate', 'missing <file|-> (a JSON file, or "-" for standard input)');
  }
  const operation = args.values.operation;
  if (typeof operation === 'string' && !isOperationName(operation)) {
    throw new UsageError(
      'validate',
      `unknown operation ${JSON.stringify(operation)} for --operation; the model's operations: ${operationNames().join(', ')}`,
    );
  }
  const connectorId = args.values['connector-id'];
  const several = args.positionals.length > 1;
  let status = 0;
  for (const file of args.positionals) {
    const text = await readInput(file, io);
    const report = validateDocument(
      text,
      typeof connectorId === 'string' ? connectorId : undefined,
      typeof operation === 'string' ? (operation as OperationName) : undefined,
    );
    printReport(file === '-' ? '<stdin>' : file, report, several, args.values.json === true, io);
    if (!report.valid) status = 1;
  }
  return status;
}

function printReport(
  label: string,
  report: ValidateReport,
  several: boolean,
  json: boolean,
  io: CliIo,
): void {
  if (json) {
    writeLine(io.stdout, JSON.stringify({ file: label, ...report }));
  } else if (report.valid) {
    writeLine(io.stdout, several ? `${label}: valid` : 'valid');
    writeLine(io.stdout, report.summary);
    for (const warning of report.warnings) writeLine(io.stdout, `warning: ${warning}`);
  } else {
    const what = report.kind === 'json' ? 'not valid JSON' : `invalid ${report.kind}`;
    const count = report.issues.length === 1 ? '1 error' : `${report.issues.length} errors`;
    writeLine(io.stdout, `${label}: ${what} (${count})`);
    for (const issue of report.issues) writeLine(io.stdout, `  ${formatIssue(issue)}`);
  }
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

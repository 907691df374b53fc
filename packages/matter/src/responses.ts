import { formatFieldId } from './ids.js';
import type { ClusterDef, CommandDef, FieldDef } from './model.js';

/**
 * Which way a command entry travels. `request`: what a customer asks for (SendManagedThingCommand,
 * the connector's AWS.SendCommand invocation), checked against the command's request fields.
 * `response`: what answers it (a DEVICE_COMMAND_RESPONSE), which carries the command's *response*
 * fields or none at all (status only), never its request fields.
 */
export type CommandDirection = 'request' | 'response';

/** What a command response may carry for one command id of a cluster. */
export interface ResponseShape {
  /** The request the entry answers, when the id names one. */
  readonly request?: CommandDef;
  /** The response command (`GetUserResponse`); undefined for a status-only answer. */
  readonly response?: CommandDef;
  /** Fields a response may carry (those of `response`; none for status only). */
  readonly fields: readonly FieldDef[];
  /** How issues name the entry: `MoveToLevel`, `GetUser (response GetUserResponse)`. */
  readonly label: string;
}

/**
 * The response command that answers `request` (`GetUser` → `GetUserResponse`); undefined when
 * Matter answers it with a plain status (`MoveToLevel`) or `request` is itself a response.
 */
export function getResponseCommand(
  cluster: ClusterDef,
  request: CommandDef,
): CommandDef | undefined {
  if (request.direction !== 'request') return undefined;
  const name = request.response;
  if (name === undefined || name === 'status') return undefined;
  return cluster.commands.find((c) => c.name === name && c.direction === 'response');
}

/**
 * What a DEVICE_COMMAND_RESPONSE entry keyed by `id` may carry. The service keys the answer by
 * the id of the command it sent (the model's example answers `0x03` with `{}`), so a request id
 * wins; an id that only a response command has (`0x1C` GetUserResponse) names that response.
 */
export function responseShape(cluster: ClusterDef, id: number): ResponseShape | undefined {
  const request = cluster.commands.find((c) => c.id === id && c.direction === 'request');
  if (request !== undefined) {
    const response = getResponseCommand(cluster, request);
    return response === undefined
      ? { request, fields: [], label: request.name }
      : {
          request,
          response,
          fields: response.fields,
          label: `${request.name} (response ${response.name})`,
        };
  }
  const response = cluster.commands.find((c) => c.id === id && c.direction === 'response');
  return response === undefined
    ? undefined
    : { response, fields: response.fields, label: response.name };
}

/** The issue text for a request field found in a command response. */
export function requestFieldInResponse(shape: ResponseShape, field: FieldDef): string {
  const carries =
    shape.response === undefined
      ? 'no fields (status only)'
      : `the fields of ${shape.response.name} (${
          shape.fields.map((f) => `${formatFieldId(f.id)} ${f.name}`).join(', ') || 'none'
        })`;
  return (
    `${field.name} is a request field of ${shape.request?.name ?? shape.label}; a command ` +
    `response carries ${carries}, or {} with responseCode/errors`
  );
}

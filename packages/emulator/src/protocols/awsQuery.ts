import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The AWS Query protocol (STS): `Action=<Operation>&Version=<date>&…` as form parameters in the
 * query string or a form body, answered in XML: `<ActionResponse><ActionResult>…` on success,
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>` on failure.
 */

/** A wire error of a Query service: its code, HTTP status and message. */
export interface AwsQueryErrorLike {
  readonly code: string;
  readonly statusCode: number;
  readonly message: string;
}

/** The request's parameters: the query string, then (POST) the form body, later ones winning. */
export function queryParams(request: FastifyRequest): Map<string, string> {
  const params = new Map<string, string>();
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  const sources = [q === -1 ? '' : url.slice(q + 1)];
  const body = request.body;
  if (Buffer.isBuffer(body)) sources.push(body.toString('utf8'));
  else if (typeof body === 'string') sources.push(body);
  for (const source of sources) {
    for (const [key, value] of new URLSearchParams(source)) {
      // Presigned-URL signing parameters are the SigV4 layer's, not the operation's.
      if (!key.startsWith('X-Amz-')) params.set(key, value);
    }
  }
  return params;
}

function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>value</name>`, the value escaped. */
export function xmlElement(name: string, value: string): string {
  return `<${name}>${xmlEscape(value)}</${name}>`;
}

function sendXml(reply: FastifyReply, status: number, xml: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/xml').send(xml);
}

/** A successful answer: `result` (XML) inside `<ActionResponse><ActionResult>` with its metadata. */
export function sendAwsQuery(
  reply: FastifyReply,
  xmlns: string,
  action: string,
  result: string,
  requestId: string,
): FastifyReply {
  return sendXml(
    reply,
    200,
    `<${action}Response xmlns="${xmlns}"><${action}Result>${result}</${action}Result><ResponseMetadata>${xmlElement('RequestId', requestId)}</ResponseMetadata></${action}Response>`,
  );
}

/** An error as Query services send it: `Receiver` for a 5xx (the service's fault), else `Sender`. */
export function sendAwsQueryError(
  reply: FastifyReply,
  xmlns: string,
  error: AwsQueryErrorLike,
  requestId: string,
): FastifyReply {
  const type = error.statusCode >= 500 ? 'Receiver' : 'Sender';
  return sendXml(
    reply,
    error.statusCode,
    `<ErrorResponse xmlns="${xmlns}"><Error>${xmlElement('Type', type)}${xmlElement('Code', error.code)}${xmlElement('Message', error.message)}</Error>${xmlElement('RequestId', requestId)}</ErrorResponse>`,
  );
}

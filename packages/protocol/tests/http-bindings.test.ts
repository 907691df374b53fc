/**
 * HTTP bindings end to end over a real HTTP server on 127.0.0.1: the client serialises with
 * `toHttpRequest`, the server routes with `matchOperation`, assembles with `fromHttpRequest` and
 * answers errors with `toErrorResponse`; the client maps them back with
 * `serviceExceptionFromResponse`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ERROR_SHAPES,
  formatIssue,
  fromHttpRequest,
  matchOperation,
  OPERATIONS,
  ResourceNotFoundException,
  ServiceException,
  sanitizeErrorType,
  serviceExceptionFromResponse,
  ThrottlingException,
  toErrorResponse,
  toHttpRequest,
  ValidationException,
} from '../src/index.js';

let server: Server;
let base: string;
const seen: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, headers: Record<string, string>, body: unknown) => {
        res.writeHead(status, headers).end(JSON.stringify(body));
      };
      const route = matchOperation(req.method ?? 'GET', url.pathname);
      if (!route) {
        const e = toErrorResponse(new ResourceNotFoundException('no such route'));
        return send(e.statusCode, e.headers, e.body);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const query: Record<string, string[]> = {};
      for (const [k, v] of url.searchParams) {
        const list = query[k] ?? [];
        list.push(v);
        query[k] = list;
      }
      const input = fromHttpRequest(route.name, {
        params: route.params,
        query,
        headers: req.headers as Record<string, string>,
        body: text === '' ? undefined : JSON.parse(text),
      });
      if (!input.ok) {
        const e = toErrorResponse(
          new ValidationException(input.issues.map(formatIssue).join('; ')),
        );
        return send(e.statusCode, e.headers, e.body);
      }
      seen.push({ name: route.name, input: input.value });
      if (route.name === 'GetCloudConnector') {
        const e = toErrorResponse(
          new ResourceNotFoundException('Connector not found', {
            ResourceId: route.params.Identifier,
            ResourceType: 'CloudConnector',
          }),
        );
        return send(e.statusCode, e.headers, e.body);
      }
      send(
        OPERATIONS[route.name].successCode,
        { 'content-type': 'application/json' },
        { ConnectorId: 'c-1' },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function call(parts: ReturnType<typeof toHttpRequest>) {
  const res = await fetch(base + parts.path, {
    method: parts.method,
    headers: parts.headers,
    body: parts.body ?? null,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('HTTP bindings', () => {
  it('binding data matches the model for SendConnectorEvent and ListCloudConnectors', () => {
    expect(OPERATIONS.SendConnectorEvent).toMatchObject({
      method: 'POST',
      uri: '/connector-event/{ConnectorId}',
      successCode: 202,
      pathMembers: ['ConnectorId'],
    });
    expect(OPERATIONS.ListCloudConnectors.queryBindings.map((q) => q.name)).toEqual([
      'Type',
      'LambdaArn',
      'MaxResults',
      'NextToken',
    ]);
    expect(OPERATIONS.CreateCloudConnector.idempotencyToken).toBe('ClientToken');
    expect(
      OPERATIONS.ListSchemaVersions.queryBindings.find((q) => q.member === 'SchemaId')?.name,
    ).toBe('SchemaIdFilter');
    expect(ERROR_SHAPES.ThrottlingException).toMatchObject({
      httpStatus: 429,
      retryable: true,
      throttling: true,
    });
    expect(ERROR_SHAPES.ValidationException).toMatchObject({
      httpStatus: 400,
      fault: 'client',
      retryable: false,
    });
  });

  it('routes literal and labelled paths', () => {
    expect(matchOperation('GET', '/cloud-connectors')?.name).toBe('ListCloudConnectors');
    expect(matchOperation('GET', '/cloud-connectors/abc')).toEqual({
      name: 'GetCloudConnector',
      params: { Identifier: 'abc' },
    });
    expect(matchOperation('PATCH', '/cloud-connectors/abc')).toBeUndefined();
  });

  it('round-trips SendConnectorEvent (202) with the array-form attributes normalised', async () => {
    const res = await call(
      toHttpRequest('SendConnectorEvent', {
        ConnectorId: 'c-1',
        Operation: 'DEVICE_EVENT',
        ConnectorDeviceId: 'fan-1',
        MatterEndpoint: {
          id: '1',
          clusters: [{ id: '0x0202', attributes: [{ '0x0000': 3 }] as never }],
        },
      }),
    );
    expect(res.status).toBe(202);
    expect(seen.at(-1)).toMatchObject({
      name: 'SendConnectorEvent',
      input: { MatterEndpoint: { clusters: [{ attributes: { '0x0000': 3 } }] } },
    });
  });

  it('coerces query parameters and rejects invalid ones as ValidationException', async () => {
    const ok = await call(toHttpRequest('ListCloudConnectors', { MaxResults: 10, Type: 'LISTED' }));
    expect(ok.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ input: { MaxResults: 10, Type: 'LISTED' } });
    const bad = await call({
      method: 'GET',
      path: '/cloud-connectors?MaxResults=0',
      headers: {},
      body: undefined,
    });
    const e = serviceExceptionFromResponse(bad.status, bad.headers, bad.text);
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.message).toContain('MaxResults: expected an integer 1–1000, got 0');
    expect(e.$fault).toBe('client');
  });

  it('maps modelled errors back to their classes with members', async () => {
    const res = await call(toHttpRequest('GetCloudConnector', { Identifier: 'nope' }));
    const e = serviceExceptionFromResponse(res.status, res.headers, res.text);
    expect(e).toBeInstanceOf(ResourceNotFoundException);
    expect(e).toMatchObject({
      name: 'ResourceNotFoundException',
      statusCode: 404,
      ResourceId: 'nope',
      ResourceType: 'CloudConnector',
    });
  });

  it('sanitises error types and survives junk responses', () => {
    expect(
      sanitizeErrorType('aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/'),
    ).toBe('FooError');
    const t = serviceExceptionFromResponse(
      429,
      { 'X-Amzn-ErrorType': 'ThrottlingException:http://x' },
      '{"message":"slow down"}',
    );
    expect(t).toBeInstanceOf(ThrottlingException);
    expect(t.$retryable).toEqual({ throttling: true });
    expect(t.message).toBe('slow down');
    const junk = serviceExceptionFromResponse(502, undefined, '<html>bad gateway</html>');
    expect(junk).toBeInstanceOf(ServiceException);
    expect(junk).toMatchObject({ name: 'UnknownError', statusCode: 502, $fault: 'server' });
    expect(toErrorResponse(new Error('db password is hunter2'))).toEqual({
      statusCode: 500,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': 'InternalServerException',
      },
      body: { Message: 'Internal server error' },
    });
  });
});

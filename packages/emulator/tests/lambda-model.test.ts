import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LAMBDA_ERRORS } from '../src/services/lambda/errors.js';
import { parseFunctionRef } from '../src/services/lambda/functionRef.js';

// The unmodified Lambda model (pinned copy in codegen/inputs): the routes, error statuses, message casing and
// the function-name grammar here are checked against it rather than trusted.
const MODEL_PATH = new URL(
  '../../../codegen/inputs/lambda-2015-03-31.botocore-service-2.json',
  import.meta.url,
);

interface Shape {
  type: string;
  pattern?: string;
  min?: number;
  max?: number;
  members?: Record<string, unknown>;
  error?: { httpStatusCode: number };
}
const model = JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as {
  operations: Record<
    string,
    { http: { method: string; requestUri: string; responseCode?: number } }
  >;
  shapes: Record<string, Shape>;
};

describe('Lambda subset against the Lambda model', () => {
  it('every error we send has the status and message member casing of its model shape', () => {
    for (const [name, { status, messageKey }] of Object.entries(LAMBDA_ERRORS)) {
      const shape = model.shapes[name];
      expect(shape?.error?.httpStatusCode ?? 500, name).toBe(status);
      expect(Object.keys(shape?.members ?? {}), name).toContain(messageKey);
    }
  });

  it('serves the operations at the modelled method, path and status', () => {
    const served: Record<string, [string, string, number]> = {
      Invoke: ['POST', '/2015-03-31/functions/{FunctionName}/invocations', 200],
      GetFunction: ['GET', '/2015-03-31/functions/{FunctionName}', 200],
      GetFunctionConfiguration: ['GET', '/2015-03-31/functions/{FunctionName}/configuration', 200],
      GetFunctionUrlConfig: ['GET', '/2021-10-31/functions/{FunctionName}/url', 200],
      CreateEventSourceMapping: ['POST', '/2015-03-31/event-source-mappings', 202],
      ListEventSourceMappings: ['GET', '/2015-03-31/event-source-mappings', 200],
      GetEventSourceMapping: ['GET', '/2015-03-31/event-source-mappings/{UUID}', 200],
      DeleteEventSourceMapping: ['DELETE', '/2015-03-31/event-source-mappings/{UUID}', 202],
      UpdateEventSourceMapping: ['PUT', '/2015-03-31/event-source-mappings/{UUID}', 202],
      PublishVersion: ['POST', '/2015-03-31/functions/{FunctionName}/versions', 201],
      ListVersionsByFunction: ['GET', '/2015-03-31/functions/{FunctionName}/versions', 200],
      CreateAlias: ['POST', '/2015-03-31/functions/{FunctionName}/aliases', 201],
      ListAliases: ['GET', '/2015-03-31/functions/{FunctionName}/aliases', 200],
      GetAlias: ['GET', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', 200],
      UpdateAlias: ['PUT', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', 200],
      DeleteAlias: ['DELETE', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', 204],
    };
    for (const [op, [method, uri, status]] of Object.entries(served)) {
      const http = model.operations[op]?.http;
      expect(http?.method, op).toBe(method);
      expect(http?.requestUri.replace(/\/$/, ''), op).toBe(uri);
      expect(http?.responseCode ?? 200, op).toBe(status);
    }
  });

  it('parseFunctionRef accepts exactly the model NamespacedFunctionName language', () => {
    const shape = model.shapes.NamespacedFunctionName as Shape;
    const grammar = new RegExp(`^(?:${shape.pattern})$`);
    const inModel = (s: string): boolean =>
      s.length >= (shape.min ?? 1) && s.length <= (shape.max ?? 256) && grammar.test(s);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(grammar),
          fc.string({ maxLength: 80 }),
          fc
            .tuple(
              fc.constantFrom(
                '',
                'arn:aws:lambda:us-east-1:111122223333:function:',
                '111122223333:',
              ),
              fc.stringMatching(/^[a-zA-Z0-9_.-]{1,20}$/),
              fc.constantFrom('', ':$LATEST', ':live', ':1', ':'),
            )
            .map((parts) => parts.join('')),
        ),
        (s) => {
          expect(parseFunctionRef(s) !== undefined).toBe(inModel(s));
        },
      ),
      { numRuns: 500 },
    );
    expect(parseFunctionRef('arn:aws:lambda:us-east-1:111122223333:function:acme:live')).toEqual({
      region: 'us-east-1',
      accountId: '111122223333',
      name: 'acme',
      qualifier: 'live',
    });
  });
});

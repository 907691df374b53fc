import { describe, expect, it } from 'vitest';
import {
  fromHttpRequest,
  ListCloudConnectorsBinding,
  matchOperation,
  OPERATIONS,
  queryString,
  SendConnectorEventBinding,
  serializeRequest,
} from '../src/index.js';

describe('serializeRequest (restJson1 from the binding data)', () => {
  it('puts labels in the path, query members under their wire names and the rest in the body', () => {
    // Act
    const parts = serializeRequest(SendConnectorEventBinding, {
      ConnectorId: 'a b/c',
      Operation: 'DEVICE_EVENT',
      Message: null,
      TraceId: undefined,
    });
    // Assess
    expect(parts).toEqual({
      method: 'POST',
      path: '/connector-event/a%20b%2Fc',
      query: {},
      headers: {},
      body: '{"Operation":"DEVICE_EVENT"}',
    });
    expect(serializeRequest(ListCloudConnectorsBinding, { MaxResults: 5, Type: 'LISTED' })).toEqual(
      {
        method: 'GET',
        path: '/cloud-connectors',
        query: { MaxResults: '5', Type: 'LISTED' },
        headers: {},
        body: undefined,
      },
    );
  });

  it('repeats a list member in the query, encoded as SigV4 canonicalises it, and the server reads it back', () => {
    // Prepare
    const arn = 'arn:aws:iotmanagedintegrations:us-east-1:111122223333:managed-thing/abc1';
    const input = { ResourceArn: arn, TagKeys: ["it's", 'a b'] };
    // Act
    const parts = serializeRequest(OPERATIONS.UntagResource, input);
    const qs = queryString(parts.query);
    // Assess
    expect(qs).toBe('?tagKeys=it%27s&tagKeys=a%20b');
    const route = matchOperation(parts.method, parts.path);
    expect(route?.name).toBe('UntagResource');
    const query = { tagKeys: [...new URLSearchParams(qs).getAll('tagKeys')] };
    const back = fromHttpRequest('UntagResource', { params: route?.params ?? {}, query });
    expect(back).toEqual({ ok: true, value: input });
  });

  it('sorts query keys and gives no query string for no query', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ b: '2', a: '1*' })).toBe('?a=1%2A&b=2');
  });
});

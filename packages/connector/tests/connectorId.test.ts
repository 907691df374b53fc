import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorEventsClient } from '../src/client/ConnectorEventsClient.js';
import { ConnectorIdResolutionError } from '../src/errors.js';
import { lambdaArnMatches, resolveConnectorId } from '../src/resolve/connectorId.js';
import { json, startSigV4Server, TEST_CREDENTIALS } from './helpers/sigv4Server.js';

const FN = 'arn:aws:lambda:us-east-1:111122223333:function:acme-connector';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

/** A real HTTP directory of CloudConnectors that honours the LambdaArn filter exactly like a server would. */
async function directory(connectors: Array<{ Id: string; arn: string }>) {
  const server = await startSigV4Server((req, res) => {
    const url = new URL(req.url, 'http://x');
    const item = (c: { Id: string; arn: string }) => ({
      Id: c.Id,
      Name: c.Id,
      EndpointConfig: { lambda: { arn: c.arn } },
      EndpointType: 'LAMBDA',
    });
    if (url.pathname === '/cloud-connectors') {
      const filter = url.searchParams.get('LambdaArn');
      return json(res, 200, {
        Items: connectors.filter((c) => !filter || c.arn === filter).map(item),
      });
    }
    const found = connectors.find((c) => url.pathname === `/cloud-connectors/${c.Id}`);
    if (!found)
      return json(
        res,
        404,
        { Message: 'nope' },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
    return json(res, 200, item(found));
  });
  const client = new ConnectorEventsClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: TEST_CREDENTIALS,
  });
  closers.push(server.close, () => client.close());
  return { client, server };
}

describe('resolveConnectorId', () => {
  it('finds the connector registered with the unqualified ARN when the function runs under an alias', async () => {
    const { client, server } = await directory([
      { Id: 'conn-A', arn: FN },
      { Id: 'other', arn: `${FN}-2` },
    ]);
    const id = await resolveConnectorId({
      directory: client,
      functionName: 'acme-connector',
      lookupFunctionArn: async () => `${FN}:live`,
      env: {},
    });
    expect(id).toBe('conn-A');
    expect(server.received.map((r) => r.url.split('?')[0])).toContain('/cloud-connectors/conn-A'); // confirmed
  });

  it('finds a connector registered with a qualified ARN', async () => {
    const { client } = await directory([{ Id: 'conn-Q', arn: `${FN}:3` }]);
    const id = await resolveConnectorId({
      directory: client,
      functionName: 'f',
      lookupFunctionArn: async () => `${FN}:3`,
      env: {},
    });
    expect(id).toBe('conn-Q');
  });

  it('fails clearly with zero or several matches', async () => {
    const none = await directory([]);
    await expect(
      resolveConnectorId({
        directory: none.client,
        functionName: 'f',
        lookupFunctionArn: async () => FN,
        env: {},
      }),
    ).rejects.toThrow(/no CloudConnector has EndpointConfig.lambda.arn .*acme-connector/);
    const two = await directory([
      { Id: 'c1', arn: FN },
      { Id: 'c2', arn: FN },
    ]);
    const error = await resolveConnectorId({
      directory: two.client,
      functionName: 'f',
      lookupFunctionArn: async () => FN,
      env: {},
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorIdResolutionError);
    expect(error.message).toMatch(/2 CloudConnectors .*c1, c2.*C2C_CONNECTOR_ID/);
  });

  it('prefers the C2C_CONNECTOR_ID override and needs a function name otherwise', async () => {
    const { client, server } = await directory([]);
    await expect(
      resolveConnectorId({ directory: client, env: { C2C_CONNECTOR_ID: 'pinned' } }),
    ).resolves.toBe('pinned');
    await expect(resolveConnectorId({ directory: client, env: {} })).rejects.toThrow(
      /AWS_LAMBDA_FUNCTION_NAME/,
    );
    expect(server.received).toHaveLength(0);
  });

  it('matches ARNs with and without qualifier, and nothing else', () => {
    expect(lambdaArnMatches(`${FN}:live`, FN)).toBe(true);
    expect(lambdaArnMatches(FN, `${FN}:$LATEST`)).toBe(true);
    expect(lambdaArnMatches(`${FN}2`, FN)).toBe(false);
  });
});

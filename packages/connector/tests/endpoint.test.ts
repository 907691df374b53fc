import { describe, expect, it } from 'vitest';
import { resolveEndpoint } from '../src/client/endpoint.js';
import { ConnectorConfigError } from '../src/errors.js';

describe('resolveEndpoint', () => {
  const sdk = 'AWS_ENDPOINT_URL_IOT_MANAGED_INTEGRATIONS';
  const older = 'AWS_ENDPOINT_URL_IOTMANAGEDINTEGRATIONS';

  it("reads the AWS SDKs' service-specific name first, then the older one, then the general", () => {
    const all = {
      [sdk]: 'http://127.0.0.1:1/',
      [older]: 'http://127.0.0.1:2/',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:3/',
    };
    expect(resolveEndpoint('us-east-1', all).port).toBe('1');
    expect(resolveEndpoint('us-east-1', { ...all, [sdk]: '' }).port).toBe('2');
    expect(resolveEndpoint('us-east-1', { ...all, [sdk]: undefined, [older]: '' }).port).toBe('3');
  });

  it('falls back to the regional endpoint', () => {
    expect(resolveEndpoint('eu-west-1', {}).href).toBe(
      'https://api.iotmanagedintegrations.eu-west-1.api.aws/',
    );
  });

  it('names every variable it reads when the value is not a URL', () => {
    const error = (() => {
      try {
        resolveEndpoint('us-east-1', { [sdk]: 'not a url' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConnectorConfigError);
    expect((error as Error).message).toContain(`${sdk} / ${older} / AWS_ENDPOINT_URL`);
  });
});

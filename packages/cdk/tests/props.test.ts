// C2cConnector props are checked at synth time, before anything is synthesized: each mistake
// is a ConnectorPropsError / BundlingError with a stable code and the prop named.
import { Duration, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  BundlingError,
  C2cConnector,
  type C2cConnectorProps,
  ConnectorPropsError,
} from '../src/index.js';
import { ACME_ENTRY } from './helpers/stacks.js';

describe('props checked at synth time', () => {
  const attempt = (props: Partial<C2cConnectorProps>) => () =>
    new C2cConnector(new Stack(), 'C', {
      entry: ACME_ENTRY,
      bundling: { conditions: ['source'] },
      ...props,
    });

  it('refuses a visibility timeout outside [timeout, command deadline)', () => {
    expect(
      attempt({ timeout: Duration.seconds(20), workVisibilityTimeout: Duration.seconds(10) }),
    ).toThrow(/workVisibilityTimeout: expected at least the function timeout \(20 s\), got 10 s/);
    expect(attempt({ workVisibilityTimeout: Duration.seconds(30) })).toThrow(
      /expected less than the command deadline \(30 s\)/,
    );
  });

  it('keeps C2C_* and AWS_* variables to the construct and Lambda', () => {
    expect(attempt({ environment: { C2C_CONNECTOR_ID: 'x' } })).toThrow(ConnectorPropsError);
    expect(attempt({ environment: { AWS_REGION: 'x' } })).toThrow(/AWS_REGION is set by/);
  });

  it('wants exactly one kind of destination authorization', () => {
    expect(attempt({ destination: {} })).toThrow(/exactly one of oauth and generalAuthorization/);
    expect(attempt({ destination: { generalAuthorization: [] } })).toThrow(/at least one material/);
  });

  it('names a missing entry with a stable code', () => {
    const error = (() => {
      try {
        attempt({ entry: 'no/such/handler.ts' })();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BundlingError);
    expect(error).toMatchObject({
      code: 'C2C_CDK_BUNDLING',
      message: 'bundling no/such/handler.ts failed: no such file',
    });
  });
});

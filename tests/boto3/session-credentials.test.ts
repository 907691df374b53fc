import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Boto3Target, boto3, boto3Missing } from './boto3.js';

// Temporary credentials the emulator's STS issued (asked for with @aws-sdk/client-sts), used by
// boto3 — a client with its own signer — against the managed-integrations API, as a customer
// app running under a role would.

let emu: RunningEmulator;
let sts: STSClient;

beforeAll(async () => {
  const missing = boto3Missing();
  if (missing !== undefined) throw new Error(missing);
  emu = await startEmulator({ memory: true });
  sts = new STSClient({ endpoint: emu.url, region: 'us-east-1', credentials: emu.credentials });
}, 60_000);

afterAll(async () => {
  sts?.destroy();
  await emu?.close();
});

function target(credentials: Boto3Target['credentials']): Boto3Target {
  return { endpoint: emu.url, region: 'us-east-1', credentials };
}

describe('boto3 with temporary credentials', () => {
  it('signs managed-integrations calls with AssumeRole and GetSessionToken credentials', async () => {
    const role = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${emu.credentials.accountId}:role/customer-app`,
        RoleSessionName: 'boto3',
      }),
    );
    const session = await sts.send(new GetSessionTokenCommand({}));
    for (const out of [role, session]) {
      const c = out.Credentials;
      const [listed, created] = await boto3(
        target({
          accessKeyId: c?.AccessKeyId ?? '',
          secretAccessKey: c?.SecretAccessKey ?? '',
          sessionToken: c?.SessionToken ?? '',
        }),
        [
          { operation: 'ListManagedThings' },
          {
            operation: 'CreateCloudConnector',
            input: {
              Name: `c-${c?.AccessKeyId}`.slice(0, 40),
              EndpointConfig: {
                lambda: { arn: `arn:aws:lambda:us-east-1:${emu.credentials.accountId}:function:x` },
              },
            },
          },
        ],
      );
      expect(listed).toMatchObject({ ok: true, status: 200 });
      expect(created).toMatchObject({ ok: true });
    }
  });

  it('is refused a made-up session token', async () => {
    const c = (await sts.send(new GetSessionTokenCommand({}))).Credentials;
    const [refused] = await boto3(
      target({
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: 'IQoJb3JpZ2luX2VjEMadeUp',
      }),
      [{ operation: 'ListManagedThings' }],
    );
    expect(refused).toMatchObject({
      ok: false,
      status: 403,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });
});

import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { sdkClientConfig, useEmulatorWithSdkClient, withTestEmulator } from '@c2c-kit/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretsManagerError } from '../src/services/secretsmanager/index.js';
import { postUnsignedAwsJson } from './helpers/sign.js';

const aws = useEmulatorWithSdkClient((config) => new SecretsManagerClient(config));

describe('Secrets Manager with @aws-sdk/client-secrets-manager', () => {
  it('creates a secret with an AWS-shaped ARN and reads it by name, ARN and partial ARN', async () => {
    // Act
    const created = await aws.client.send(
      new CreateSecretCommand({ Name: 'acme/oauth', SecretString: '{"clientSecret":"s1"}' }),
    );
    // Assess
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:111122223333:secret:acme\/oauth-[A-Za-z0-9]{6}$/,
    );
    expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    for (const id of ['acme/oauth', created.ARN, created.ARN?.slice(0, -7)]) {
      const got = await aws.client.send(new GetSecretValueCommand({ SecretId: id }));
      expect(got).toMatchObject({
        ARN: created.ARN,
        Name: 'acme/oauth',
        SecretString: '{"clientSecret":"s1"}',
        VersionStages: ['AWSCURRENT'],
      });
      expect(got.CreatedDate).toBeInstanceOf(Date);
    }
  });

  it('moves AWSCURRENT/AWSPREVIOUS on PutSecretValue and reads old versions by id and stage', async () => {
    const created = await aws.client.send(
      new CreateSecretCommand({ Name: 'rotating', SecretString: 'v1' }),
    );
    const put = await aws.client.send(
      new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v2' }),
    );
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    const current = await aws.client.send(new GetSecretValueCommand({ SecretId: 'rotating' }));
    const previous = await aws.client.send(
      new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }),
    );
    const byId = await aws.client.send(
      new GetSecretValueCommand({ SecretId: created.ARN, VersionId: created.VersionId }),
    );
    expect(current.SecretString).toBe('v2');
    expect(previous.SecretString).toBe('v1');
    expect(byId.SecretString).toBe('v1');
    expect(byId.VersionStages).toEqual(['AWSPREVIOUS']);
    const described = await aws.client.send(new DescribeSecretCommand({ SecretId: 'rotating' }));
    expect(described.VersionIdsToStages).toEqual({
      [created.VersionId as string]: ['AWSPREVIOUS'],
      [put.VersionId as string]: ['AWSCURRENT'],
    });
  });

  it('stores binary secrets', async () => {
    await aws.client.send(
      new CreateSecretCommand({ Name: 'blob', SecretBinary: new Uint8Array([0, 255, 7]) }),
    );
    const got = await aws.client.send(new GetSecretValueCommand({ SecretId: 'blob' }));
    expect(got.SecretBinary).toEqual(new Uint8Array([0, 255, 7]));
    expect(got.SecretString).toBeUndefined();
  });

  it('answers with the Secrets Manager errors', async () => {
    await aws.client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'a' }));
    await expect(
      aws.client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'b' })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(
      aws.client.send(new GetSecretValueCommand({ SecretId: 'missing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      aws.client.send(new GetSecretValueCommand({ SecretId: 'dup', VersionId: 'f'.repeat(36) })),
    ).rejects.toThrow(/VersionId/);
    await expect(
      aws.client.send(
        new CreateSecretCommand({
          Name: 'both',
          SecretString: 'a',
          SecretBinary: new Uint8Array([1]),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('an SDK retry with the same ClientRequestToken is idempotent', async () => {
    const token = 'a'.repeat(32);
    await aws.client.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'x' }));
    const one = await aws.client.send(
      new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'y', ClientRequestToken: token }),
    );
    const two = await aws.client.send(
      new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'y', ClientRequestToken: token }),
    );
    expect(two.VersionId).toBe(one.VersionId);
    await expect(
      aws.client.send(
        new PutSecretValueCommand({
          SecretId: 'idem',
          SecretString: 'z',
          ClientRequestToken: token,
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('deleted secrets are no longer readable', async () => {
    await aws.client.send(new CreateSecretCommand({ Name: 'gone', SecretString: 'x' }));
    const del = await aws.client.send(
      new DeleteSecretCommand({ SecretId: 'gone', ForceDeleteWithoutRecovery: true }),
    );
    expect(del.DeletionDate).toBeInstanceOf(Date);
    await expect(
      aws.client.send(new GetSecretValueCommand({ SecretId: 'gone' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists secrets and refuses a wrongly signed request', async () => {
    await aws.client.send(new CreateSecretCommand({ Name: 'listed', SecretString: 'x' }));
    const list = await aws.client.send(new ListSecretsCommand({}));
    expect(list.SecretList?.map((s) => s.Name)).toContain('listed');
    expect(JSON.stringify(list)).not.toContain('"x"');
    const forged = new SecretsManagerClient(
      sdkClientConfig(aws.emu.url, { secretAccessKey: 'wrong-secret' }),
    );
    await expect(
      forged.send(new GetSecretValueCommand({ SecretId: 'listed' })),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    forged.destroy();
  });

  it('app.secrets reads a secret for the core by ARN or name, and by version', async () => {
    const created = await aws.client.send(
      new CreateSecretCommand({ Name: 'core-read', SecretString: 'one' }),
    );
    await aws.client.send(
      new PutSecretValueCommand({ SecretId: 'core-read', SecretString: 'two' }),
    );
    expect(aws.emu.app.secrets.getSecretValue(created.ARN as string).secretString).toBe('two');
    expect(aws.emu.app.secrets.getSecretValue('core-read', created.VersionId).secretString).toBe(
      'one',
    );
    expect(() => aws.emu.app.secrets.getSecretValue('nope')).toThrow(SecretsManagerError);
  });
});

describe('Secrets Manager route robustness', () => {
  it('malformed requests get a 4xx with a message, never a 5xx', async () => {
    await withTestEmulator({ verify: false }, async (unsigned) => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            'CreateSecret',
            'GetSecretValue',
            'PutSecretValue',
            'DescribeSecret',
            'DeleteSecret',
            'Nope',
          ),
          fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.json({ maxDepth: 3 }),
            fc
              .record(
                {
                  Name: fc.oneof(
                    fc.string({ maxLength: 20 }),
                    fc.integer(),
                    fc.constant('ok-name'),
                  ),
                  SecretId: fc.oneof(
                    fc.string({ maxLength: 20 }),
                    fc.constant('ok-name'),
                    fc.anything(),
                  ),
                  SecretString: fc.oneof(fc.string(), fc.integer()),
                  SecretBinary: fc.oneof(fc.string(), fc.base64String()),
                  ClientRequestToken: fc.oneof(fc.string({ maxLength: 70 }), fc.uuid()),
                  VersionStages: fc.oneof(fc.array(fc.string()), fc.anything()),
                  Tags: fc.anything(),
                },
                { requiredKeys: [] },
              )
              .map((o) => JSON.stringify(o)),
          ),
          async (op, body) => {
            const res = await postUnsignedAwsJson(
              unsigned.url,
              '1.1',
              `secretsmanager.${op}`,
              body,
            );
            const json = (await res.json()) as { __type?: string; Message?: string };
            expect(res.status).toBeLessThan(500);
            if (res.status >= 400) {
              expect(json.__type).toBeTypeOf('string');
              expect(json.Message).toBeTypeOf('string');
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});

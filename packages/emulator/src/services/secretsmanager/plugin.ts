import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Caller, callerOf, coreDeps } from '../../plugins/core-deps.js';
import {
  frameworkErrorToWire,
  sendAwsJson,
  sendAwsJsonError,
  targetOperation,
  targetText,
} from '../../protocols/awsJson.js';
import {
  optArray,
  optBlob,
  optBoolean,
  optInt,
  optString,
  optStringArray,
  reqString,
  requireObject,
} from '../../protocols/jsonMembers.js';
import { jsonObjectBody } from '../../protocols/requestBody.js';
import { SecretsManagerError, secretsErrors } from './errors.js';
import { type SecretPayload, SecretsStore, type SecretValue } from './SecretsStore.js';

/** Secrets Manager subset over awsJson1_1 (`X-Amz-Target: secretsmanager.<Operation>`). */

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const NAME_RULES = {
  min: 1,
  max: 512,
  pattern: /^[A-Za-z0-9/_+=.@-]+$/,
  patternText: '[A-Za-z0-9/_+=.@-]+',
};
const TOKEN_RULES = { min: 32, max: 64 };

export type { SecretValue };

/** What the core reads destinations' OAuth client secrets through (`app.secrets`). */
export interface SecretReader {
  /**
   * The secret's AWSCURRENT version, or the given version. `arnOrName` is a full or partial ARN,
   * or a name (looked up in the default region). Throws `SecretsManagerError`
   * (`code: 'ResourceNotFoundException'`) when it does not exist.
   */
  getSecretValue(arnOrName: string, versionId?: string): SecretValue;
}

declare module 'fastify' {
  interface FastifyInstance {
    secrets: SecretReader;
  }
}

const bad = (message: string): SecretsManagerError => secretsErrors.invalidParameter(message);
const epochSeconds = (d: Date): number => d.getTime() / 1000;

function payloadOf(input: Record<string, unknown>): SecretPayload {
  const secretString = optString(input, 'SecretString', bad, { max: 65_536 });
  const secretBinary = optBlob(input, 'SecretBinary', bad);
  if (secretString !== undefined && secretBinary !== undefined) {
    throw bad(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  return {
    ...(secretString !== undefined ? { secretString } : {}),
    ...(secretBinary !== undefined ? { secretBinary } : {}),
  };
}

function tagsOf(input: Record<string, unknown>): Array<{ Key: string; Value: string }> {
  return (optArray(input, 'Tags', bad) ?? []).map((raw, i) => {
    const t = requireObject(raw, `Tags[${i}]`, bad);
    return {
      Key: reqString(t, 'Key', bad, { min: 1, max: 128 }, `Tags[${i}].Key`),
      Value: optString(t, 'Value', bad, { max: 256 }, `Tags[${i}].Value`) ?? '',
    };
  });
}

type Handler = (input: Record<string, unknown>, store: SecretsStore, caller: Caller) => unknown;

const handlers: Record<string, Handler> = {
  CreateSecret(input, store, caller) {
    const name = reqString(input, 'Name', bad, NAME_RULES);
    const versionId = optString(input, 'ClientRequestToken', bad, TOKEN_RULES);
    const description = optString(input, 'Description', bad, { max: 2048 });
    optString(input, 'KmsKeyId', bad, { max: 2048 });
    const r = store.create({
      accountId: caller.accountId,
      region: caller.region,
      name,
      ...(description !== undefined ? { description } : {}),
      tags: tagsOf(input),
      ...(versionId !== undefined ? { versionId } : {}),
      payload: payloadOf(input),
    });
    return { ARN: r.arn, Name: r.name, ...(r.versionId ? { VersionId: r.versionId } : {}) };
  },
  GetSecretValue(input, store, caller) {
    const id = reqString(input, 'SecretId', bad, { min: 1, max: 2048 });
    const versionId = optString(input, 'VersionId', bad, TOKEN_RULES);
    const stage = optString(input, 'VersionStage', bad, { min: 1, max: 256 });
    const v = store.getValue(store.resolve(id, caller.accountId, caller.region), versionId, stage);
    return {
      ARN: v.arn,
      Name: v.name,
      VersionId: v.versionId,
      ...(v.secretString !== undefined ? { SecretString: v.secretString } : {}),
      ...(v.secretBinary !== undefined ? { SecretBinary: v.secretBinary.toString('base64') } : {}),
      VersionStages: v.versionStages,
      CreatedDate: epochSeconds(v.createdDate),
    };
  },
  PutSecretValue(input, store, caller) {
    const id = reqString(input, 'SecretId', bad, { min: 1, max: 2048 });
    const versionId = optString(input, 'ClientRequestToken', bad, TOKEN_RULES) ?? randomUUID();
    const stages = optStringArray(input, 'VersionStages', bad) ?? ['AWSCURRENT'];
    if (stages.length < 1 || stages.length > 20) {
      throw bad(`VersionStages: expected 1 to 20 labels, got ${stages.length}`);
    }
    const payload = payloadOf(input);
    if (payload.secretString === undefined && payload.secretBinary === undefined) {
      throw bad('You must provide either SecretString or SecretBinary.');
    }
    const secret = store.resolve(id, caller.accountId, caller.region);
    const r = store.put(secret, versionId, payload, stages);
    return { ARN: secret.arn, Name: secret.name, VersionId: r.versionId, VersionStages: r.stages };
  },
  DescribeSecret(input, store, caller) {
    const id = reqString(input, 'SecretId', bad, { min: 1, max: 2048 });
    const d = store.describe(store.resolve(id, caller.accountId, caller.region));
    return {
      ARN: d.arn,
      Name: d.name,
      ...(d.description !== undefined ? { Description: d.description } : {}),
      CreatedDate: epochSeconds(d.createdDate),
      LastChangedDate: epochSeconds(d.lastChangedDate),
      ...(d.deletedDate ? { DeletedDate: epochSeconds(d.deletedDate) } : {}),
      VersionIdsToStages: d.versionIdsToStages,
      ...(d.tags.length > 0 ? { Tags: d.tags } : {}),
    };
  },
  DeleteSecret(input, store, caller) {
    const id = reqString(input, 'SecretId', bad, { min: 1, max: 2048 });
    const force = optBoolean(input, 'ForceDeleteWithoutRecovery', bad) ?? false;
    const days = optInt(input, 'RecoveryWindowInDays', bad, { min: 7, max: 30 });
    if (force && days !== undefined) {
      throw bad(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const secret = store.resolve(id, caller.accountId, caller.region);
    const when = store.delete(secret, force, days ?? 30);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(when) };
  },
  ListSecrets(input, store, caller) {
    optInt(input, 'MaxResults', bad, { min: 1, max: 100 });
    return {
      SecretList: store.list(caller.accountId, caller.region).map((row) => {
        const d = store.describe(row);
        return {
          ARN: d.arn,
          Name: d.name,
          ...(d.description !== undefined ? { Description: d.description } : {}),
          CreatedDate: epochSeconds(d.createdDate),
          LastChangedDate: epochSeconds(d.lastChangedDate),
          SecretVersionsToStages: d.versionIdsToStages,
        };
      }),
    };
  },
};

async function secretsRoutes(app: FastifyInstance, opts: { store: SecretsStore }): Promise<void> {
  const { config } = coreDeps(app);
  const { store } = opts;
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const wire =
      error instanceof SecretsManagerError ? error : frameworkErrorToWire(error, request);
    return sendAwsJsonError(reply, CONTENT_TYPE, '', wire, 'Message');
  });
  app.post('/', { constraints: { awsService: 'secretsmanager' } }, async (request, reply) => {
    const op = targetOperation(request, 'secretsmanager');
    const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined;
    if (!handler) {
      throw new SecretsManagerError(
        'UnknownOperationException',
        `X-Amz-Target: expected secretsmanager.<Operation> with one of ${Object.keys(handlers).join(', ')}, got ${targetText(request)}`,
      );
    }
    const input = jsonObjectBody(
      request,
      () =>
        new SecretsManagerError(
          'SerializationException',
          'request body: expected JSON, got text that does not parse',
        ),
      bad,
    );
    return sendAwsJson(reply, CONTENT_TYPE, handler(input, store, callerOf(request, config)));
  });
}

async function secretsManager(app: FastifyInstance): Promise<void> {
  const { db, config } = coreDeps(app);
  const store = new SecretsStore(db);
  app.decorate('secrets', {
    getSecretValue(arnOrName: string, versionId?: string): SecretValue {
      const region = arnOrName.startsWith('arn:') ? undefined : config.region;
      const account = region ? config.credentials[0]?.accountId : undefined;
      return store.getValue(store.resolve(arnOrName, account, region), versionId);
    },
  } satisfies SecretReader);
  await app.register(secretsRoutes, { store });
}

/**
 * Registers the Secrets Manager route (`POST /`, constraint `awsService: 'secretsmanager'`) and
 * decorates `app.secrets` for the core.
 */
export const secretsManagerPlugin = fp(secretsManager, {
  name: '@c2c-kit/emulator-secretsmanager',
  fastify: '5.x',
  dependencies: ['@c2c-kit/emulator-db', '@c2c-kit/emulator-sigv4'],
});

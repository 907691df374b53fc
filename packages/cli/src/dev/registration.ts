import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ManagedIntegrationsClient, RawResponse } from '@c2c-kit/connector/client';
import type { OperationName, OperationShapes } from '@c2c-kit/protocol';
import { UpstreamError } from '../errors.js';

// The calls `startDevStack` registers things with: as the customer, through the signed client,
// an error status named; Secrets Manager secrets created or updated in place.

/** A re-run of a Create answers 409 Conflict when the resource exists: that is success here. */
export function isOkOrConflict(status: number): boolean {
  return (status >= 200 && status < 300) || status === 409;
}

/** Calls `name` as the customer; an answer other than 2xx is an `UpstreamError` naming it. */
export async function callOk<K extends OperationName>(
  client: ManagedIntegrationsClient,
  name: K,
  input: OperationShapes[K]['input'],
): Promise<OperationShapes[K]['output']> {
  const response = await client.send(name, input);
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw upstreamError(name, response, errorMessage(response.body));
  }
  return response.body as OperationShapes[K]['output'];
}

export function upstreamError(what: string, response: RawResponse, detail: string): UpstreamError {
  return new UpstreamError(what, response.statusCode, response.errorType, detail);
}

/** The `Message` of a restJson1 error body (or the text itself). */
function errorMessage(body: unknown): string {
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const message = record.Message ?? record.message;
    if (typeof message === 'string') return message;
    return JSON.stringify(body).slice(0, 300);
  }
  return String(body).slice(0, 300);
}

export async function ensureSecret(
  secrets: SecretsManagerClient,
  name: string,
  value: Record<string, string>,
): Promise<{ arn: string; versionId: string }> {
  const secretString = JSON.stringify(value);
  try {
    const existing = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
    if (existing.SecretString === secretString && existing.ARN && existing.VersionId) {
      return { arn: existing.ARN, versionId: existing.VersionId };
    }
    const put = await secrets.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: secretString }),
    );
    if (put.ARN && put.VersionId) return { arn: put.ARN, versionId: put.VersionId };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  const created = await secrets.send(
    new CreateSecretCommand({ Name: name, SecretString: secretString }),
  );
  if (!created.ARN || !created.VersionId) throw new Error('CreateSecret returned no ARN/VersionId');
  return { arn: created.ARN, versionId: created.VersionId };
}

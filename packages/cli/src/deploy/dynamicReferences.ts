// CloudFormation dynamic references (`{{resolve:secretsmanager:…}}`), resolved at deploy time as
// CloudFormation does, so a template never holds the secret. Secrets Manager is the only service
// the emulator has of the three CloudFormation reads them from; SSM references are refused.
import { DeployError } from '../errors.js';

const PATTERN = /\{\{resolve:([a-z-]+):([^}]*)\}\}/g;

export interface SecretReference {
  readonly secretId: string;
  readonly jsonKey?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
}

/** Reads a secret's string (`SecretString` of GetSecretValue). */
export type SecretReader = (ref: SecretReference) => Promise<string>;

/** `secret-id:SecretString:json-key:version-stage:version-id`; the secret id may be an ARN. */
export function parseSecretReference(body: string, where: string): SecretReference {
  const parts = body.split(':');
  // An ARN carries colons of its own: arn:aws:secretsmanager:<region>:<account>:secret:<name>.
  const idParts = parts[0] === 'arn' ? 7 : 1;
  const secretId = parts.slice(0, idParts).join(':');
  const [field = 'SecretString', jsonKey, versionStage, versionId] = parts.slice(idParts);
  if (secretId === '' || field !== 'SecretString') {
    throw new DeployError(
      `${where}: {{resolve:secretsmanager:${body}}}: expected secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]`,
    );
  }
  return {
    secretId,
    ...(jsonKey ? { jsonKey } : {}),
    ...(versionStage ? { versionStage } : {}),
    ...(versionId ? { versionId } : {}),
  };
}

async function resolveString(text: string, read: SecretReader, where: string): Promise<string> {
  const matches = [...text.matchAll(PATTERN)];
  if (matches.length === 0) return text;
  let out = '';
  let last = 0;
  for (const m of matches) {
    const [whole, service, body = ''] = m;
    if (service !== 'secretsmanager') {
      throw new DeployError(
        `${where}: {{resolve:${service}:…}}: the emulator has no ${service === 'ssm' || service === 'ssm-secure' ? 'SSM Parameter Store' : service}; only {{resolve:secretsmanager:…}} is resolved locally`,
      );
    }
    const ref = parseSecretReference(body, where);
    let value = await read(ref);
    if (ref.jsonKey !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw new DeployError(
          `${where}: secret ${ref.secretId} is not JSON, so it has no key ${ref.jsonKey}`,
        );
      }
      const field = (parsed as Record<string, unknown> | null)?.[ref.jsonKey];
      if (typeof field !== 'string') {
        throw new DeployError(`${where}: secret ${ref.secretId} has no string key ${ref.jsonKey}`);
      }
      value = field;
    }
    out += text.slice(last, m.index) + value;
    last = (m.index ?? 0) + whole.length;
  }
  return out + text.slice(last);
}

/** Replaces every dynamic reference inside `value` (any depth) with what it refers to. */
export async function resolveDynamicReferences(
  value: unknown,
  read: SecretReader,
  where: string,
): Promise<unknown> {
  if (typeof value === 'string') return resolveString(value, read, where);
  if (Array.isArray(value)) {
    return Promise.all(value.map((v) => resolveDynamicReferences(v, read, where)));
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(value)) {
    entries.push([k, await resolveDynamicReferences(v, read, `${where}.${k}`)]);
  }
  return Object.fromEntries(entries);
}

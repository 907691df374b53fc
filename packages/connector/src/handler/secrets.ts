import { SecretResolutionError } from '../errors.js';

export interface SecretReader {
  read(arn: string, versionId: string): Promise<string>;
}

/**
 * General Authorization: the secret named in the invocation header, read with the real
 * Secrets Manager client (imported lazily) and cached per container by arn + versionId — a
 * version id names immutable content, so the cache never goes stale.
 */
export class SecretsManagerReader implements SecretReader {
  private readonly cache = new Map<string, Promise<string>>();
  private client: Promise<(arn: string, versionId: string) => Promise<string>> | undefined;
  private readonly clientConfig: Record<string, unknown>;
  /** `clientConfig` goes to `new SecretsManagerClient(...)`; in Lambda the environment suffices. */
  constructor(options: { clientConfig?: Record<string, unknown> } = {}) {
    this.clientConfig = options.clientConfig ?? {};
  }

  read(arn: string, versionId: string): Promise<string> {
    const key = `${arn}#${versionId}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.fetch(arn, versionId);
      this.cache.set(key, pending);
      // A failure must not be cached: the next invocation retries.
      pending.catch(() => this.cache.delete(key));
    }
    return pending;
  }

  private async fetch(arn: string, versionId: string): Promise<string> {
    this.client ??= import('@aws-sdk/client-secrets-manager').then(
      ({ SecretsManagerClient, GetSecretValueCommand }) => {
        const sm = new SecretsManagerClient(this.clientConfig);
        return async (id: string, version: string) => {
          const out = await sm.send(
            new GetSecretValueCommand({ SecretId: id, VersionId: version }),
          );
          if (typeof out.SecretString === 'string') return out.SecretString;
          if (out.SecretBinary) return Buffer.from(out.SecretBinary).toString('utf8');
          throw new SecretResolutionError(
            'GetSecretValue returned neither SecretString nor SecretBinary',
          );
        };
      },
    );
    try {
      return await (await this.client)(arn, versionId);
    } catch (error) {
      if (error instanceof SecretResolutionError) throw error;
      const name = error instanceof Error ? error.name : 'Error';
      // The ARN is not secret; the value never reaches this message.
      throw new SecretResolutionError(
        `GetSecretValue for ${arn} (version ${versionId}) failed: ${name}`,
        {
          cause: error,
        },
      );
    }
  }
}

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SecretValue {
  arn: string;
  name: string;
  versionId: string;
  secretString?: string;
  secretBinary?: Buffer;
  versionStages: string[];
  createdDate: Date;
}

/** What the core reads destinations' OAuth client secrets through (`app.secrets`). */
export interface SecretReader {
  /** Returns the secret's current (or the given) version; throws when it does not exist. */
  getSecretValue(arnOrName: string, versionId?: string): SecretValue;
}

declare module 'fastify' {
  interface FastifyInstance {
    secrets: SecretReader;
  }
}

async function secretsManager(app: FastifyInstance): Promise<void> {
  app.decorate('secrets', {
    getSecretValue(arnOrName: string): SecretValue {
      throw new Error(`Secrets Manager can't find the specified secret: ${arnOrName}`);
    },
  } satisfies SecretReader);
}

export const secretsManagerPlugin = fp(secretsManager, {
  name: '@c2c-kit/emulator-secretsmanager',
  fastify: '5.x',
});

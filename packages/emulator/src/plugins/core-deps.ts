import type { Database } from 'better-sqlite3';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MissingCoreDependencyError } from '../errors.js';
import type { InvocationRecord } from '../services/lambda/invocation.js';

/**
 * What the AWS-service plugins need from the core (emulator contract): `app.db`,
 * `app.emulatorConfig`, and `request.aws` set by the SigV4 hook. Read structurally so these
 * plugins neither redeclare nor depend on the core's type augmentations.
 */
export interface EmulatorConfigLike {
  region: string;
  baseUrl(): string;
  credentials: Array<{ accessKeyId: string; secretAccessKey: string; accountId: string }>;
  /** Caps temporary credentials' lifetime (ms); see `EmulatorOptions.maxSessionLifetimeMs`. */
  maxSessionLifetimeMs?: number;
  /** Watches the hosted functions (the Lambda plugin); see `EmulatorOptions.functions`. */
  functions?: {
    onLog?(functionName: string, line: string, requestId?: string): void;
    onInvocation?(record: InvocationRecord): void;
  };
}

/** Who signed a request: the account and region its resources belong to. */
export interface Caller {
  accountId: string;
  region: string;
  accessKeyId: string;
}

export function coreDeps(app: FastifyInstance): { db: Database; config: EmulatorConfigLike } {
  const holder = app as unknown as { db?: Database; emulatorConfig?: EmulatorConfigLike };
  if (!holder.db || !holder.emulatorConfig) {
    throw new MissingCoreDependencyError(
      'the AWS-service plugins need app.db and app.emulatorConfig decorated before registration',
    );
  }
  return { db: holder.db, config: holder.emulatorConfig };
}

/** The signed caller, or (verification off, unsigned request) the default account and region. */
export function callerOf(request: FastifyRequest, config: EmulatorConfigLike): Caller {
  const aws = (request as unknown as { aws?: Partial<Caller> | null }).aws;
  const first = config.credentials[0];
  return {
    accountId: aws?.accountId ?? first?.accountId ?? '111122223333',
    region: aws?.region ?? config.region,
    accessKeyId: aws?.accessKeyId ?? first?.accessKeyId ?? 'anonymous',
  };
}

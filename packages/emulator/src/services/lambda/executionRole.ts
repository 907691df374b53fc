import { assumedRole } from '../sts/roles.js';
import type { SessionStore } from '../sts/SessionStore.js';

/**
 * The execution role of every function here, and the credentials a function's workers get for it.
 * On AWS, Lambda assumes the function's execution role and puts that session's temporary
 * credentials in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`); the session is named after the function.
 */
export const EXECUTION_ROLE_NAME = 'c2c-kit-local-lambda';

export function executionRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${EXECUTION_ROLE_NAME}`;
}

/** How long a worker's role session lasts (AssumeRole's default); workers are replaced before. */
export const EXECUTION_SESSION_MS = 3600_000;

/** Credentials handed to a worker; `expiresAt` (epoch ms) when they are temporary. */
export interface ExecutionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiresAt?: number;
}

/** Issues the credentials of a function's execution role for one new worker. */
export type ExecutionCredentialIssuer = (fn: {
  readonly accountId: string;
  readonly name: string;
}) => ExecutionCredentials;

/** Role sessions from the emulator's STS store: they verify as any STS credential does. */
export function stsExecutionCredentials(store: SessionStore): ExecutionCredentialIssuer {
  return (fn) => {
    const role = assumedRole(fn.accountId, EXECUTION_ROLE_NAME, fn.name);
    return store.issue({
      accountId: fn.accountId,
      kind: 'assumed-role',
      arn: role.arn,
      userId: role.assumedRoleId,
      durationMs: EXECUTION_SESSION_MS,
    });
  };
}

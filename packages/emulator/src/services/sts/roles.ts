import { stsErrors } from './errors.js';
import { uniqueIdFor } from './SessionStore.js';

/**
 * Roles as the emulator's STS sees them. It has no IAM: every role ARN of the caller's own account
 * names a role that exists and trusts the account (a role of another account is AccessDenied).
 */

/** `arn:aws:iam::<account>:role/<optional path/><name>`, as IAM writes role ARNs. */
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/((?:[\u0021-\u007E]+\/)?)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export interface AssumedRole {
  readonly accountId: string;
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>` (no path, as STS writes it). */
  readonly arn: string;
  /** `AROA…:<session name>`. */
  readonly assumedRoleId: string;
}

/** The principal of a session of role `roleName` in `accountId` (also Lambda's execution role). */
export function assumedRole(accountId: string, roleName: string, sessionName: string): AssumedRole {
  return {
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    assumedRoleId: `${uniqueIdFor('AROA', `${accountId}:${roleName}`)}:${sessionName}`,
  };
}

/** AssumeRole's `RoleArn` and `RoleSessionName`, checked as STS checks them, for `caller`. */
export function roleSession(
  params: ReadonlyMap<string, string>,
  caller: { accountId: string; arn: string },
): AssumedRole {
  const roleArn = params.get('RoleArn');
  if (roleArn === undefined)
    throw stsErrors.validation('roleArn', undefined, 'Member must not be null');
  if (roleArn.length < 20 || roleArn.length > 2048) {
    throw stsErrors.validation(
      'roleArn',
      roleArn,
      `Member must have length ${roleArn.length < 20 ? 'greater than or equal to 20' : 'less than or equal to 2048'}`,
    );
  }
  const sessionName = params.get('RoleSessionName');
  if (sessionName === undefined) {
    throw stsErrors.validation('roleSessionName', undefined, 'Member must not be null');
  }
  if (!SESSION_NAME.test(sessionName)) {
    throw stsErrors.validation(
      'roleSessionName',
      sessionName,
      'Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*',
    );
  }
  const m = ROLE_ARN.exec(roleArn);
  if (m === null) {
    throw stsErrors.validation(
      'roleArn',
      roleArn,
      'Member must be a role ARN: arn:aws:iam::<12-digit account>:role/<name>',
    );
  }
  const [, accountId, , roleName] = m as unknown as [string, string, string, string];
  if (accountId !== caller.accountId) {
    throw stsErrors.accessDenied(
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  return assumedRole(accountId, roleName, sessionName);
}

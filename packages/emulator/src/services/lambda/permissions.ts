import type { Database as Db } from 'better-sqlite3';
import { LambdaServiceError, lambdaErrors } from './errors.js';
import { functionPackagesFor } from './functionPackages.js';
import type { FunctionInfo } from './functionRegistry.js';

/**
 * Functions' resource-based policies (`lambda_policy_statements`): AddPermission, RemovePermission,
 * GetPolicy, and the check AWS makes when a service invokes a function — the statement must name
 * the service principal and `lambda:InvokeFunction` (or a wildcard), and its conditions
 * (StringEquals / StringLike / ArnEquals / ArnLike / Bool on `aws:SourceArn`, `aws:SourceAccount`
 * …) must hold for the call.
 *
 * Functions registered without the Lambda API (`POST /_local/functions`, `LambdaHost.registerFunction`:
 * `c2c dev`, the tests) start with the statement `c2c dev`'s stack would add,
 * `LOCAL_SERVICE_STATEMENT_ID`: the managed-integrations service may invoke them, for any account
 * (the local tools and tests link customers of several accounts to one function). It is a real
 * statement: GetPolicy lists it and RemovePermission removes it. Functions made with CreateFunction
 * start with no policy, as on AWS, and get exactly the permissions their deployment adds.
 */

export const SERVICE_PRINCIPAL = 'iotmanagedintegrations.amazonaws.com';
export const LOCAL_SERVICE_STATEMENT_ID = 'c2c-local-managed-integrations-invoke';

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: '*' | { readonly Service?: string; readonly AWS?: string };
  readonly Action: string;
  readonly Resource: string;
  readonly Condition?: Record<string, Record<string, string>>;
}

/** The function a policy belongs to (`createdAt` tells a re-created function from the old one). */
export interface PolicyTarget {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly createdAt: Date;
}

/** Who invokes: a service principal, on behalf of a resource (`aws:SourceArn`) of an account. */
export interface ServiceCaller {
  readonly principal: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
}

export interface AddPermissionInput {
  readonly StatementId: string;
  readonly Action: string;
  readonly Principal: string;
  readonly SourceArn?: string;
  readonly SourceAccount?: string;
  readonly EventSourceToken?: string;
  readonly FunctionUrlAuthType?: string;
  readonly InvokedViaFunctionUrl?: boolean;
  readonly PrincipalOrgID?: string;
}

/** `*`, an account id, an ARN, or a service principal, as AddPermission writes them. */
function principalOf(principal: string): PolicyStatement['Principal'] {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

/** The statement AddPermission stores, shaped as Lambda's GetPolicy returns it. */
export function statementOf(input: AddPermissionInput, resource: string): PolicyStatement {
  const condition: Record<string, Record<string, string>> = {};
  const add = (operator: string, key: string, value: string | undefined) => {
    if (value === undefined) return;
    condition[operator] = { ...condition[operator], [key]: value };
  };
  add('StringEquals', 'AWS:SourceAccount', input.SourceAccount);
  add('ArnLike', 'AWS:SourceArn', input.SourceArn);
  add('StringEquals', 'lambda:EventSourceToken', input.EventSourceToken);
  add('StringEquals', 'lambda:FunctionUrlAuthType', input.FunctionUrlAuthType);
  add('StringEquals', 'aws:PrincipalOrgID', input.PrincipalOrgID);
  if (input.InvokedViaFunctionUrl === true) add('Bool', 'lambda:InvokedViaFunctionUrl', 'true');
  return {
    Sid: input.StatementId,
    Effect: 'Allow',
    Principal: principalOf(input.Principal),
    Action: input.Action,
    Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/** IAM's `*` and `?` wildcards (StringLike, ArnLike), case-sensitive. */
function wildcard(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(value);
}

/** ArnLike: each of the six colon-separated parts matched on its own, as IAM does. */
function arnLike(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return false;
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(':')];
  const ph = head(p);
  const vh = head(v);
  return ph.every((part, i) => wildcard(part, vh[i] ?? ''));
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (e, a) => e === a,
  StringNotEquals: (e, a) => e !== a,
  StringEqualsIgnoreCase: (e, a) => e.toLowerCase() === a.toLowerCase(),
  StringLike: wildcard,
  ArnEquals: (e, a) => e === a,
  ArnLike: arnLike,
  Bool: (e, a) => e.toLowerCase() === a.toLowerCase(),
};

/** Why a statement does not let `caller` invoke `arn`, or undefined when it does. */
export function statementRefusal(
  st: PolicyStatement,
  arn: string,
  caller: ServiceCaller,
): string | undefined {
  const principal = st.Principal;
  if (principal !== '*' && principal.Service !== caller.principal && principal.AWS !== '*') {
    return `its principal is not ${caller.principal}`;
  }
  if (!['lambda:InvokeFunction', 'lambda:*', '*'].includes(st.Action)) {
    return `its action ${st.Action} is not lambda:InvokeFunction`;
  }
  if (!(st.Resource === arn || st.Resource === `${arn}:*` || wildcard(st.Resource, arn))) {
    return `its resource ${st.Resource} is not ${arn}`;
  }
  const keys: Record<string, string | undefined> = {
    'aws:sourcearn': caller.sourceArn,
    'aws:sourceaccount': caller.sourceAccount,
    'lambda:invokedviafunctionurl': 'false',
  };
  for (const [operator, entries] of Object.entries(st.Condition ?? {})) {
    const test = OPERATORS[operator];
    for (const [key, expected] of Object.entries(entries)) {
      const actual = keys[key.toLowerCase()];
      if (test === undefined) return `its condition operator ${operator} is not evaluated here`;
      const values = [expected].flat() as string[];
      if (actual === undefined)
        return `its condition ${operator} ${key} needs a value the call has none of`;
      if (!values.some((v) => test(v, actual))) {
        return `its condition ${operator} ${key} = ${values.join(' | ')} does not hold for ${actual}`;
      }
    }
  }
  return undefined;
}

interface StatementRow {
  statement: string;
}

export class FunctionPolicies {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS lambda_policy_statements (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, sid TEXT NOT NULL,
        statement TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account_id, region, name, sid));
      CREATE TABLE IF NOT EXISTS lambda_policies (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        function_created_at INTEGER NOT NULL, PRIMARY KEY (account_id, region, name));
    `);
  }

  /**
   * Starts the policy of a function: empty for CreateFunction, the local service statement for a
   * function registered otherwise. A function re-created under the same name starts anew.
   */
  #ensure(fn: PolicyTarget, withLocalStatement: boolean): void {
    const known = this.#db
      .prepare(
        'SELECT function_created_at AS t FROM lambda_policies WHERE account_id = ? AND region = ? AND name = ?',
      )
      .get(fn.accountId, fn.region, fn.name) as { t: number } | undefined;
    if (known?.t === fn.createdAt.getTime()) return;
    this.#db.transaction(() => {
      this.#db
        .prepare(
          'DELETE FROM lambda_policy_statements WHERE account_id = ? AND region = ? AND name = ?',
        )
        .run(fn.accountId, fn.region, fn.name);
      this.#db
        .prepare('INSERT OR REPLACE INTO lambda_policies VALUES (?, ?, ?, ?)')
        .run(fn.accountId, fn.region, fn.name, fn.createdAt.getTime());
      if (withLocalStatement) {
        this.#insert(
          fn,
          statementOf(
            {
              StatementId: LOCAL_SERVICE_STATEMENT_ID,
              Action: 'lambda:InvokeFunction',
              Principal: SERVICE_PRINCIPAL,
            },
            fn.arn,
          ),
        );
      }
    })();
  }

  #insert(fn: PolicyTarget, st: PolicyStatement): void {
    this.#db
      .prepare(
        `INSERT INTO lambda_policy_statements VALUES (?, ?, ?, ?, ?,
           (SELECT COALESCE(MAX(seq), 0) + 1 FROM lambda_policy_statements))`,
      )
      .run(fn.accountId, fn.region, fn.name, st.Sid, JSON.stringify(st));
  }

  /** A function made by CreateFunction: its policy starts empty. */
  startEmpty(fn: PolicyTarget): void {
    this.#ensure(fn, false);
  }

  /** The statements of a function, oldest first (`managed`: made by CreateFunction). */
  statements(fn: PolicyTarget, managed: boolean): PolicyStatement[] {
    this.#ensure(fn, !managed);
    const rows = this.#db
      .prepare(
        'SELECT statement FROM lambda_policy_statements WHERE account_id = ? AND region = ? AND name = ? ORDER BY seq',
      )
      .all(fn.accountId, fn.region, fn.name) as StatementRow[];
    return rows.map((r) => JSON.parse(r.statement) as PolicyStatement);
  }

  add(fn: PolicyTarget, managed: boolean, input: AddPermissionInput): PolicyStatement {
    const existing = this.statements(fn, managed);
    if (existing.some((s) => s.Sid === input.StatementId)) {
      throw new LambdaServiceError(
        'ResourceConflictException',
        `The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      );
    }
    const st = statementOf(input, fn.arn);
    if (JSON.stringify([...existing, st]).length > 20_480) {
      throw lambdaErrors.invalidParameter(
        'The final policy size (over 20480) is bigger than the limit (20480).',
      );
    }
    this.#insert(fn, st);
    return st;
  }

  remove(fn: PolicyTarget, managed: boolean, sid: string): void {
    this.#ensure(fn, !managed);
    const r = this.#db
      .prepare(
        'DELETE FROM lambda_policy_statements WHERE account_id = ? AND region = ? AND name = ? AND sid = ?',
      )
      .run(fn.accountId, fn.region, fn.name, sid);
    if (r.changes === 0) {
      throw new LambdaServiceError(
        'ResourceNotFoundException',
        `Statement ${sid} is not found in resource policy.`,
      );
    }
  }

  /** Drops a deleted function's policy. */
  forget(fn: { accountId: string; region: string; name: string }): void {
    for (const table of ['lambda_policy_statements', 'lambda_policies']) {
      this.#db
        .prepare(`DELETE FROM ${table} WHERE account_id = ? AND region = ? AND name = ?`)
        .run(fn.accountId, fn.region, fn.name);
    }
  }

  /**
   * Why `caller` may not invoke the function (AWS's AccessDeniedException text and the nearest
   * statement's reason), or undefined when a statement allows it.
   */
  refusal(fn: PolicyTarget, managed: boolean, caller: ServiceCaller): string | undefined {
    const statements = this.statements(fn, managed);
    const reasons: string[] = [];
    for (const st of statements) {
      const why = statementRefusal(st, fn.arn, caller);
      if (why === undefined) return undefined;
      reasons.push(`statement ${st.Sid}: ${why}`);
    }
    const detail =
      reasons.length === 0 ? 'the function has no resource-based policy' : reasons.join('; ');
    return `${caller.principal} is not authorized to perform: lambda:InvokeFunction on resource: ${fn.arn} because no resource-based policy allows the lambda:InvokeFunction action (${detail})`;
  }
}

const stores = new WeakMap<Db, FunctionPolicies>();

/** The policies store of a database (one per database, shared by routes and the service). */
export function functionPoliciesFor(db: Db): FunctionPolicies {
  let store = stores.get(db);
  if (!store) {
    store = new FunctionPolicies(db);
    stores.set(db, store);
  }
  return store;
}

/**
 * The check the managed-integrations service makes before it invokes a connector: why the
 * function's policy refuses `caller`, or undefined (also for a function that does not exist, which
 * the invocation itself then reports).
 */
export function serviceInvokeRefusal(
  db: Db,
  host: { getFunction(arn: string): FunctionInfo | undefined },
  functionArn: string,
  caller: ServiceCaller,
): string | undefined {
  const info = host.getFunction(functionArn);
  if (info === undefined) return undefined;
  const managed = functionPackagesFor(db).get(info) !== undefined;
  return functionPoliciesFor(db).refusal(info, managed, caller);
}

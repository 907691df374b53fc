import type { Database as Db } from 'better-sqlite3';
import { lambdaErrors } from './errors.js';
import { type FunctionScope, locate, parseFunctionRef } from './functionRef.js';
import { type RegisterFunctionInput, validateRegistration } from './registration.js';
import { FunctionVersions } from './versions.js';

/**
 * The registered functions: rows of `lambda_functions`, found by name or ARN the way Lambda's API
 * resolves them, with their published versions and aliases. Running them is `LambdaHost`'s job.
 */

export interface FunctionInfo {
  name: string;
  /** The unqualified function ARN. */
  arn: string;
  /** `$LATEST`, or the published version a qualifier (version or alias) resolved to. */
  version: string;
  handler: string;
  exportName: string;
  timeoutSeconds: number;
  environment: Record<string, string>;
  accountId: string;
  region: string;
  /**
   * `${baseUrl}/lambda-url/<name>/` for a function of the default account in the configured
   * region, `${baseUrl}/lambda-url/<name>.<region>.<accountId>/` for any other.
   */
  functionUrl: string;
  createdAt: Date;
  lastModified: Date;
}

interface FunctionRow {
  account_id: string;
  region: string;
  name: string;
  handler: string;
  export_name: string;
  environment: string;
  timeout_seconds: number;
  created_at: number;
  modified_at: number;
}

/** Fills in the account and region a function reference leaves out. */
type Defaults = () => { accountId: string; region: string };
type FunctionUrl = (fn: { name: string; accountId: string; region: string }) => string;

export class FunctionRegistry {
  readonly #db: Db;
  readonly #defaults: Defaults;
  readonly #functionUrl: FunctionUrl;
  /** Published versions and aliases (`lambda_versions`, `lambda_aliases`). */
  readonly versions: FunctionVersions;

  constructor(db: Db, defaults: Defaults, functionUrl: FunctionUrl) {
    this.#db = db;
    this.#defaults = defaults;
    this.#functionUrl = functionUrl;
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS lambda_functions (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, handler TEXT NOT NULL,
        export_name TEXT NOT NULL, environment TEXT NOT NULL, timeout_seconds INTEGER NOT NULL,
        created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, region, name));
    `);
    this.versions = new FunctionVersions(db);
  }

  #toInfo(row: FunctionRow): FunctionInfo {
    return {
      name: row.name,
      arn: `arn:aws:lambda:${row.region}:${row.account_id}:function:${row.name}`,
      version: '$LATEST',
      handler: row.handler,
      exportName: row.export_name,
      timeoutSeconds: row.timeout_seconds,
      environment: JSON.parse(row.environment) as Record<string, string>,
      accountId: row.account_id,
      region: row.region,
      functionUrl: this.#functionUrl({
        name: row.name,
        accountId: row.account_id,
        region: row.region,
      }),
      createdAt: new Date(row.created_at),
      lastModified: new Date(row.modified_at),
    };
  }

  /** Registers (or replaces) a function; returns it as registered. */
  register(input: RegisterFunctionInput): FunctionInfo {
    const v = validateRegistration(input, this.#defaults());
    const t = Date.now();
    this.#db
      .prepare(
        `INSERT INTO lambda_functions (account_id, region, name, handler, export_name, environment,
           timeout_seconds, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, region, name) DO UPDATE SET handler = excluded.handler,
           export_name = excluded.export_name, environment = excluded.environment,
           timeout_seconds = excluded.timeout_seconds, modified_at = excluded.modified_at`,
      )
      .run(
        v.accountId,
        v.region,
        v.name,
        v.handler,
        v.exportName,
        JSON.stringify(v.environment),
        v.timeoutSeconds,
        t,
        t,
      );
    return this.get(`arn:aws:lambda:${v.region}:${v.accountId}:function:${v.name}`) as FunctionInfo;
  }

  /** Removes a registered function with its versions and aliases. */
  delete(info: FunctionInfo): void {
    this.#db
      .prepare('DELETE FROM lambda_functions WHERE account_id = ? AND region = ? AND name = ?')
      .run(info.accountId, info.region, info.name);
    this.versions.deleteAll(info);
  }

  /**
   * A function by name, partial or full ARN, or undefined. The parts the reference leaves out
   * come from `scope` (see `FunctionScope`); an ARN of another region than `scope.region` is
   * undefined. A qualifier picks `$LATEST`, a published version or an alias's version; one that
   * names none of them is undefined too.
   */
  get(nameOrArn: string, scope: FunctionScope = {}): FunctionInfo | undefined {
    const ref = typeof nameOrArn === 'string' ? parseFunctionRef(nameOrArn) : undefined;
    if (!ref) return undefined;
    const where = locate(ref, scope, this.#defaults());
    if (!where.ok) return undefined;
    const row = this.#db
      .prepare('SELECT * FROM lambda_functions WHERE account_id = ? AND region = ? AND name = ?')
      .get(where.accountId, where.region, ref.name) as FunctionRow | undefined;
    if (!row) return undefined;
    const info = this.#toInfo(row);
    if (ref.qualifier === undefined) return info;
    const version = this.versions.resolve(info, ref.qualifier);
    if (version === undefined || version === '$LATEST') {
      return version === undefined ? undefined : info;
    }
    const published = this.versions.get(info, version);
    if (!published) return undefined;
    return {
      ...info,
      version,
      handler: published.handler,
      exportName: published.exportName,
      environment: published.environment,
      timeoutSeconds: published.timeoutSeconds,
      lastModified: published.createdAt,
    };
  }

  /** The functions of `scope`'s account and region (each left out: all of them). */
  list(scope: FunctionScope = {}): FunctionInfo[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM lambda_functions WHERE (@account IS NULL OR account_id = @account)
           AND (@region IS NULL OR region = @region) ORDER BY account_id, region, name`,
      )
      .all({ account: scope.accountId ?? null, region: scope.region ?? null }) as FunctionRow[];
    return rows.map((r) => this.#toInfo(r));
  }

  /** Like `get`, but throws Lambda's ResourceNotFoundException. */
  require(nameOrArn: string, scope: FunctionScope = {}): FunctionInfo {
    const info = this.get(nameOrArn, scope);
    if (info) return info;
    const ref = parseFunctionRef(nameOrArn) ?? { name: nameOrArn };
    const where = locate(ref, scope, this.#defaults());
    if (!where.ok) throw lambdaErrors.otherRegion(where.arnRegion, where.region);
    const q = ref.qualifier ? `:${ref.qualifier}` : '';
    throw lambdaErrors.functionNotFound(
      `arn:aws:lambda:${where.region}:${where.accountId}:function:${ref.name}${q}`,
    );
  }
}

import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Database as Db } from 'better-sqlite3';
import { LambdaServiceError, lambdaErrors } from './errors.js';

/**
 * Published versions and aliases of the functions a `LambdaHost` runs (`lambda_versions`,
 * `lambda_aliases`). A version records the function's configuration (handler path, export,
 * environment, timeout) and the SHA-256 of its handler file when it was published; it runs that
 * configuration. The handler file itself is not copied: editing it changes what every version runs
 * (documented in packages/emulator/docs/aws-services.md).
 */

/** What a version keeps of its function. */
export interface VersionConfig {
  readonly handler: string;
  readonly exportName: string;
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
}

export interface VersionRecord extends VersionConfig {
  /** `"1"`, `"2"`, … */
  readonly version: string;
  readonly codeSha256: string;
  readonly description: string;
  readonly createdAt: Date;
}

export interface AliasRecord {
  readonly name: string;
  /** `$LATEST` or a published version number. */
  readonly functionVersion: string;
  readonly description: string;
  readonly revisionId: string;
}

/** A function as the store keys it. */
export interface FunctionKey {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

/** Alias names: not all digits (those are versions), 1-128 of a-z A-Z 0-9 - _. */
export const ALIAS_NAME = /^(?![0-9]+$)[a-zA-Z0-9_-]{1,128}$/;

interface VersionRow {
  version: number;
  handler: string;
  export_name: string;
  environment: string;
  timeout_seconds: number;
  code_sha256: string;
  description: string;
  created_at: number;
}

interface AliasRow {
  alias: string;
  function_version: string;
  description: string;
  revision_id: string;
}

/** The base64 SHA-256 of a handler file, as Lambda reports `CodeSha256` ('' when unreadable). */
export function codeSha256(handler: string): string {
  try {
    return createHash('sha256').update(readFileSync(handler)).digest('base64');
  } catch {
    return '';
  }
}

const toVersion = (row: VersionRow): VersionRecord => ({
  version: String(row.version),
  handler: row.handler,
  exportName: row.export_name,
  environment: JSON.parse(row.environment) as Record<string, string>,
  timeoutSeconds: row.timeout_seconds,
  codeSha256: row.code_sha256,
  description: row.description,
  createdAt: new Date(row.created_at),
});

const toAlias = (row: AliasRow): AliasRecord => ({
  name: row.alias,
  functionVersion: row.function_version,
  description: row.description,
  revisionId: row.revision_id,
});

const WHERE = 'account_id = ? AND region = ? AND name = ?';
const keyArgs = (f: FunctionKey): [string, string, string] => [f.accountId, f.region, f.name];

export class FunctionVersions {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS lambda_versions (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,
        handler TEXT NOT NULL, export_name TEXT NOT NULL, environment TEXT NOT NULL,
        timeout_seconds INTEGER NOT NULL, code_sha256 TEXT NOT NULL, description TEXT NOT NULL,
        created_at INTEGER NOT NULL, PRIMARY KEY (account_id, region, name, version));
      CREATE TABLE IF NOT EXISTS lambda_aliases (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, alias TEXT NOT NULL,
        function_version TEXT NOT NULL, description TEXT NOT NULL, revision_id TEXT NOT NULL,
        PRIMARY KEY (account_id, region, name, alias));
    `);
  }

  /**
   * Publishes `$LATEST` as a new version, or returns the newest version when nothing changed since
   * it was published (Lambda does not publish an identical version twice).
   */
  publish(fn: FunctionKey, config: VersionConfig, description: string): VersionRecord {
    const sha = codeSha256(config.handler);
    const newest = this.list(fn).at(-1);
    if (
      newest !== undefined &&
      newest.codeSha256 === sha &&
      newest.handler === config.handler &&
      newest.exportName === config.exportName &&
      newest.timeoutSeconds === config.timeoutSeconds &&
      JSON.stringify(newest.environment) === JSON.stringify(config.environment)
    ) {
      return newest;
    }
    const version = Number(newest?.version ?? 0) + 1;
    this.#db
      .prepare(
        `INSERT INTO lambda_versions (account_id, region, name, version, handler, export_name,
           environment, timeout_seconds, code_sha256, description, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        ...keyArgs(fn),
        version,
        config.handler,
        config.exportName,
        JSON.stringify(config.environment),
        config.timeoutSeconds,
        sha,
        description,
        Date.now(),
      );
    return this.get(fn, String(version)) as VersionRecord;
  }

  list(fn: FunctionKey): VersionRecord[] {
    const rows = this.#db
      .prepare(`SELECT * FROM lambda_versions WHERE ${WHERE} ORDER BY version`)
      .all(...keyArgs(fn)) as VersionRow[];
    return rows.map(toVersion);
  }

  get(fn: FunctionKey, version: string): VersionRecord | undefined {
    if (!/^[0-9]{1,15}$/.test(version)) return undefined;
    const row = this.#db
      .prepare(`SELECT * FROM lambda_versions WHERE ${WHERE} AND version = ?`)
      .get(...keyArgs(fn), Number(version)) as VersionRow | undefined;
    return row === undefined ? undefined : toVersion(row);
  }

  getAlias(fn: FunctionKey, alias: string): AliasRecord | undefined {
    const row = this.#db
      .prepare(`SELECT * FROM lambda_aliases WHERE ${WHERE} AND alias = ?`)
      .get(...keyArgs(fn), alias) as AliasRow | undefined;
    return row === undefined ? undefined : toAlias(row);
  }

  /** Aliases by name; only those pointing at `functionVersion` when it is given. */
  listAliases(fn: FunctionKey, functionVersion?: string): AliasRecord[] {
    const rows = this.#db
      .prepare(`SELECT * FROM lambda_aliases WHERE ${WHERE} ORDER BY alias`)
      .all(...keyArgs(fn)) as AliasRow[];
    return rows
      .map(toAlias)
      .filter((a) => functionVersion === undefined || a.functionVersion === functionVersion);
  }

  /** The version an alias or version qualifier runs, or undefined when it names none. */
  resolve(fn: FunctionKey, qualifier: string): string | undefined {
    if (qualifier === '$LATEST') return '$LATEST';
    if (/^[0-9]+$/.test(qualifier)) return this.get(fn, qualifier)?.version;
    return this.getAlias(fn, qualifier)?.functionVersion;
  }

  /** Checks that `version` exists (`$LATEST` always does); Lambda's 404 names it otherwise. */
  #requireVersion(fn: FunctionKey, version: string, arn: string): void {
    if (version !== '$LATEST' && this.get(fn, version) === undefined) {
      throw lambdaErrors.functionNotFound(`${arn}:${version}`);
    }
  }

  createAlias(
    fn: FunctionKey,
    arn: string,
    input: { name: string; functionVersion: string; description: string },
  ): AliasRecord {
    this.#requireVersion(fn, input.functionVersion, arn);
    if (this.getAlias(fn, input.name) !== undefined) {
      throw new LambdaServiceError(
        'ResourceConflictException',
        `Alias already exists: ${arn}:${input.name}`,
      );
    }
    this.#db
      .prepare(
        `INSERT INTO lambda_aliases (account_id, region, name, alias, function_version, description,
           revision_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...keyArgs(fn), input.name, input.functionVersion, input.description, randomUUID());
    return this.getAlias(fn, input.name) as AliasRecord;
  }

  updateAlias(
    fn: FunctionKey,
    arn: string,
    name: string,
    input: { functionVersion?: string; description?: string; revisionId?: string },
  ): AliasRecord {
    const alias = this.requireAlias(fn, arn, name);
    if (input.revisionId !== undefined && input.revisionId !== alias.revisionId) {
      throw new LambdaServiceError(
        'PreconditionFailedException',
        'The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id',
      );
    }
    if (input.functionVersion !== undefined) this.#requireVersion(fn, input.functionVersion, arn);
    this.#db
      .prepare(
        `UPDATE lambda_aliases SET function_version = ?, description = ?, revision_id = ?
         WHERE ${WHERE} AND alias = ?`,
      )
      .run(
        input.functionVersion ?? alias.functionVersion,
        input.description ?? alias.description,
        randomUUID(),
        ...keyArgs(fn),
        name,
      );
    return this.getAlias(fn, name) as AliasRecord;
  }

  /** Removes an alias (404 when there is none). */
  deleteAlias(fn: FunctionKey, arn: string, name: string): void {
    this.requireAlias(fn, arn, name);
    this.#db
      .prepare(`DELETE FROM lambda_aliases WHERE ${WHERE} AND alias = ?`)
      .run(...keyArgs(fn), name);
  }

  requireAlias(fn: FunctionKey, arn: string, name: string): AliasRecord {
    const alias = this.getAlias(fn, name);
    if (alias === undefined) {
      throw new LambdaServiceError('ResourceNotFoundException', `Alias not found: ${arn}:${name}`);
    }
    return alias;
  }

  /** Forgets every version and alias of a deleted function. */
  deleteAll(fn: FunctionKey): void {
    this.#db.prepare(`DELETE FROM lambda_versions WHERE ${WHERE}`).run(...keyArgs(fn));
    this.#db.prepare(`DELETE FROM lambda_aliases WHERE ${WHERE}`).run(...keyArgs(fn));
  }
}

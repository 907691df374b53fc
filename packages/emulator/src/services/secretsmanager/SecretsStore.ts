import { randomInt, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { secretsErrors } from './errors.js';

/**
 * Secrets Manager state in SQLite (`secrets_secrets`, `secrets_versions`). Staging labels are kept
 * per version as JSON arrays; PutSecretValue moves AWSCURRENT and AWSPREVIOUS as Secrets Manager does.
 */

export interface SecretValue {
  arn: string;
  name: string;
  versionId: string;
  secretString?: string;
  secretBinary?: Buffer;
  versionStages: string[];
  createdDate: Date;
}

export interface SecretDescription {
  arn: string;
  name: string;
  description?: string;
  createdDate: Date;
  lastChangedDate: Date;
  deletedDate?: Date;
  versionIdsToStages: Record<string, string[]>;
  tags: Array<{ Key: string; Value: string }>;
}

export interface SecretPayload {
  secretString?: string;
  secretBinary?: Buffer;
}

interface SecretRow {
  arn: string;
  account_id: string;
  region: string;
  name: string;
  description: string | null;
  tags: string;
  created_at: number;
  last_changed_at: number;
  deleted_at: number | null;
}

interface VersionRow {
  arn: string;
  version_id: string;
  secret_string: string | null;
  secret_binary: Buffer | null;
  stages: string;
  created_at: number;
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** AWS appends a hyphen and six random characters to every secret ARN. */
function arnSuffix(): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return s;
}

function samePayload(row: VersionRow, p: SecretPayload): boolean {
  if (p.secretString !== undefined) return row.secret_string === p.secretString;
  if (p.secretBinary !== undefined) return row.secret_binary?.equals(p.secretBinary) ?? false;
  return false;
}

export class SecretsStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS secrets_secrets (
        arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        description TEXT, tags TEXT NOT NULL, created_at INTEGER NOT NULL,
        last_changed_at INTEGER NOT NULL, deleted_at INTEGER,
        UNIQUE (account_id, region, name));
      CREATE TABLE IF NOT EXISTS secrets_versions (
        arn TEXT NOT NULL, version_id TEXT NOT NULL, secret_string TEXT, secret_binary BLOB,
        stages TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (arn, version_id));
    `);
  }

  /**
   * Finds a secret by full ARN, partial ARN (no random suffix) or name in the caller's scope. A
   * secret lives in one region: with `region` given, an ARN of another region finds nothing.
   */
  resolve(secretId: string, accountId?: string, region?: string): SecretRow {
    let row: SecretRow | undefined;
    if (secretId.startsWith('arn:')) {
      row =
        (this.#db.prepare('SELECT * FROM secrets_secrets WHERE arn = ?').get(secretId) as
          | SecretRow
          | undefined) ??
        (this.#db
          .prepare('SELECT * FROM secrets_secrets WHERE substr(arn, 1, length(arn) - 7) = ?')
          .get(secretId) as SecretRow | undefined);
      if (region !== undefined && row?.region !== region) row = undefined;
    } else if (accountId && region) {
      row = this.#db
        .prepare('SELECT * FROM secrets_secrets WHERE account_id = ? AND region = ? AND name = ?')
        .get(accountId, region, secretId) as SecretRow | undefined;
    } else {
      row = this.#db
        .prepare('SELECT * FROM secrets_secrets WHERE name = ? ORDER BY created_at LIMIT 1')
        .get(secretId) as SecretRow | undefined;
    }
    if (!row) throw secretsErrors.notFound();
    return row;
  }

  create(input: {
    accountId: string;
    region: string;
    name: string;
    description?: string;
    tags?: Array<{ Key: string; Value: string }>;
    versionId?: string;
    payload: SecretPayload;
  }): { arn: string; name: string; versionId?: string } {
    return this.#db.transaction(() => {
      const existing = this.#db
        .prepare('SELECT * FROM secrets_secrets WHERE account_id = ? AND region = ? AND name = ?')
        .get(input.accountId, input.region, input.name) as SecretRow | undefined;
      if (existing) {
        // An SDK retry of the same request (same ClientRequestToken and value) is not an error.
        const v =
          input.versionId &&
          (this.#db
            .prepare('SELECT * FROM secrets_versions WHERE arn = ? AND version_id = ?')
            .get(existing.arn, input.versionId) as VersionRow | undefined);
        if (v && samePayload(v, input.payload)) {
          return { arn: existing.arn, name: existing.name, versionId: v.version_id };
        }
        throw secretsErrors.exists(
          existing.deleted_at
            ? `You can't create this secret because a secret with this name is already scheduled for deletion.`
            : `The operation failed because the secret ${input.name} already exists.`,
        );
      }
      const arn = `arn:aws:secretsmanager:${input.region}:${input.accountId}:secret:${input.name}-${arnSuffix()}`;
      const t = Date.now();
      this.#db
        .prepare(
          'INSERT INTO secrets_secrets (arn, account_id, region, name, description, tags, created_at, last_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          arn,
          input.accountId,
          input.region,
          input.name,
          input.description ?? null,
          JSON.stringify(input.tags ?? []),
          t,
          t,
        );
      const hasValue =
        input.payload.secretString !== undefined || input.payload.secretBinary !== undefined;
      if (!hasValue) return { arn, name: input.name };
      const versionId = input.versionId ?? randomUUID();
      this.#insertVersion(arn, versionId, input.payload, ['AWSCURRENT'], t);
      return { arn, name: input.name, versionId };
    })();
  }

  #insertVersion(
    arn: string,
    versionId: string,
    payload: SecretPayload,
    stages: string[],
    t: number,
  ): void {
    this.#db
      .prepare(
        'INSERT INTO secrets_versions (arn, version_id, secret_string, secret_binary, stages, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        arn,
        versionId,
        payload.secretString ?? null,
        payload.secretBinary ?? null,
        JSON.stringify(stages),
        t,
      );
  }

  #versions(arn: string): VersionRow[] {
    return this.#db
      .prepare('SELECT * FROM secrets_versions WHERE arn = ? ORDER BY created_at')
      .all(arn) as VersionRow[];
  }

  put(
    secret: SecretRow,
    versionId: string,
    payload: SecretPayload,
    stages: string[],
  ): { versionId: string; stages: string[] } {
    if (secret.deleted_at) {
      throw secretsErrors.invalidRequest(
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return this.#db.transaction(() => {
      const versions = this.#versions(secret.arn);
      const same = versions.find((v) => v.version_id === versionId);
      if (same) {
        if (samePayload(same, payload)) {
          return { versionId, stages: JSON.parse(same.stages) as string[] };
        }
        throw secretsErrors.exists(
          "You can't modify an existing version, you can only create a new version.",
        );
      }
      const t = Date.now();
      const update = this.#db.prepare(
        'UPDATE secrets_versions SET stages = ? WHERE arn = ? AND version_id = ?',
      );
      for (const v of versions) {
        let labels = (JSON.parse(v.stages) as string[]).filter((l) => !stages.includes(l));
        if (stages.includes('AWSCURRENT')) {
          const wasCurrent = (JSON.parse(v.stages) as string[]).includes('AWSCURRENT');
          labels = labels.filter((l) => l !== 'AWSPREVIOUS');
          if (wasCurrent) labels.push('AWSPREVIOUS');
        }
        update.run(JSON.stringify(labels), secret.arn, v.version_id);
      }
      this.#insertVersion(secret.arn, versionId, payload, stages, t);
      this.#db
        .prepare('UPDATE secrets_secrets SET last_changed_at = ? WHERE arn = ?')
        .run(t, secret.arn);
      return { versionId, stages };
    })();
  }

  getValue(secret: SecretRow, versionId?: string, versionStage?: string): SecretValue {
    if (secret.deleted_at) {
      throw secretsErrors.invalidRequest(
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    const stage = versionStage ?? (versionId ? undefined : 'AWSCURRENT');
    const v = this.#versions(secret.arn).find(
      (row) =>
        (versionId === undefined || row.version_id === versionId) &&
        (stage === undefined || (JSON.parse(row.stages) as string[]).includes(stage)),
    );
    if (!v) {
      throw secretsErrors.notFound(
        versionId
          ? ` value for VersionId: ${versionId}`
          : ` value for staging label: ${stage ?? 'AWSCURRENT'}`,
      );
    }
    return {
      arn: secret.arn,
      name: secret.name,
      versionId: v.version_id,
      ...(v.secret_string !== null ? { secretString: v.secret_string } : {}),
      ...(v.secret_binary !== null ? { secretBinary: Buffer.from(v.secret_binary) } : {}),
      versionStages: JSON.parse(v.stages) as string[],
      createdDate: new Date(v.created_at),
    };
  }

  describe(secret: SecretRow): SecretDescription {
    const versionIdsToStages: Record<string, string[]> = {};
    for (const v of this.#versions(secret.arn)) {
      const stages = JSON.parse(v.stages) as string[];
      if (stages.length > 0) versionIdsToStages[v.version_id] = stages;
    }
    return {
      arn: secret.arn,
      name: secret.name,
      ...(secret.description !== null ? { description: secret.description } : {}),
      createdDate: new Date(secret.created_at),
      lastChangedDate: new Date(secret.last_changed_at),
      ...(secret.deleted_at ? { deletedDate: new Date(secret.deleted_at) } : {}),
      versionIdsToStages,
      tags: JSON.parse(secret.tags) as Array<{ Key: string; Value: string }>,
    };
  }

  /** Schedules deletion (recoveryDays) or, with `force`, removes the secret at once. */
  delete(secret: SecretRow, force: boolean, recoveryDays: number): Date {
    const t = Date.now();
    if (force) {
      this.#db.transaction(() => {
        this.#db.prepare('DELETE FROM secrets_versions WHERE arn = ?').run(secret.arn);
        this.#db.prepare('DELETE FROM secrets_secrets WHERE arn = ?').run(secret.arn);
      })();
      return new Date(t);
    }
    const when = t + recoveryDays * 86_400_000;
    this.#db
      .prepare('UPDATE secrets_secrets SET deleted_at = ? WHERE arn = ?')
      .run(when, secret.arn);
    return new Date(when);
  }

  list(accountId: string, region: string): SecretRow[] {
    return this.#db
      .prepare(
        'SELECT * FROM secrets_secrets WHERE account_id = ? AND region = ? AND deleted_at IS NULL ORDER BY name',
      )
      .all(accountId, region) as SecretRow[];
  }
}

export type { SecretRow };

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/**
 * Temporary credentials the emulator issued (STS `GetSessionToken` / `AssumeRole`, and the
 * execution-role credentials of Lambda functions), kept in SQLite (`sts_sessions`) so they outlive
 * an emulator restart on the same data directory until they expire, as they do on AWS.
 */

/** What the SigV4 verifier needs of a temporary credential. */
export interface SessionCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly accountId: string;
  /** Epoch milliseconds; requests signed with it are refused from then on (ExpiredToken). */
  readonly expiresAt: number;
}

/** A temporary credential and the principal it stands for. */
export interface IssuedSession extends SessionCredential {
  /** `session` (GetSessionToken: the caller's own identity) or `assumed-role`. */
  readonly kind: 'session' | 'assumed-role';
  /** `arn:aws:iam::<acct>:user/c2c-kit` or `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  readonly arn: string;
  /** `AIDA…` for a user, `AROA…:<session>` for an assumed role (GetCallerIdentity's UserId). */
  readonly userId: string;
}

export interface SessionStoreOptions {
  /**
   * Caps the lifetime of every credential issued (milliseconds): tests see expiry without waiting
   * the 15 minutes AWS's shortest session lasts. The requested duration is still validated as AWS
   * does; only the expiry is brought forward.
   */
  readonly maxLifetimeMs?: number;
}

/** The IAM user the emulator's long-term keys stand for (GetCallerIdentity with such a key). */
export const EMULATOR_USER_NAME = 'c2c-kit';

/** Expired rows are kept this long, so a late request still hears "expired", not "invalid". */
const KEEP_EXPIRED_MS = 24 * 3600_000;
const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CACHE_LIMIT = 4096;

function base32Id(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += KEY_ID_ALPHABET[(bytes[i] as number) & 31];
  return out;
}

/** A stable IAM unique id (`AIDA…`, `AROA…`: prefix + 17 characters) for a name. */
export function uniqueIdFor(prefix: 'AIDA' | 'AROA', name: string): string {
  return prefix + base32Id(createHash('sha256').update(name).digest(), 17);
}

/** The principal behind one of the emulator's long-term keys. */
export function userPrincipal(
  accountId: string,
  accessKeyId: string,
): {
  arn: string;
  userId: string;
} {
  return {
    arn: `arn:aws:iam::${accountId}:user/${EMULATOR_USER_NAME}`,
    userId: uniqueIdFor('AIDA', `${accountId}:${accessKeyId}`),
  };
}

interface SessionRow {
  access_key_id: string;
  secret_access_key: string;
  session_token: string;
  account_id: string;
  kind: string;
  arn: string;
  user_id: string;
  expires_at: number;
}

function fromRow(row: SessionRow): IssuedSession {
  return {
    accessKeyId: row.access_key_id,
    secretAccessKey: row.secret_access_key,
    sessionToken: row.session_token,
    accountId: row.account_id,
    kind: row.kind === 'assumed-role' ? 'assumed-role' : 'session',
    arn: row.arn,
    userId: row.user_id,
    expiresAt: row.expires_at,
  };
}

/** Compares a presented session token with the issued one in time independent of the content. */
export function sameToken(presented: string, issued: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(issued).digest();
  return timingSafeEqual(a, b);
}

export class SessionStore {
  readonly #db: Database;
  readonly #maxLifetimeMs: number | undefined;
  readonly #cache = new Map<string, IssuedSession>();
  readonly #insert;
  readonly #select;
  readonly #purge;

  constructor(db: Database, options: SessionStoreOptions = {}) {
    this.#db = db;
    this.#maxLifetimeMs = options.maxLifetimeMs;
    db.exec(`
      CREATE TABLE IF NOT EXISTS sts_sessions (
        access_key_id TEXT PRIMARY KEY, secret_access_key TEXT NOT NULL,
        session_token TEXT NOT NULL, account_id TEXT NOT NULL, kind TEXT NOT NULL,
        arn TEXT NOT NULL, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL);
      -- The purge of expired sessions runs on every issue: a range read, not a table scan.
      CREATE INDEX IF NOT EXISTS sts_sessions_expires ON sts_sessions(expires_at);
    `);
    this.#insert = db.prepare(
      `INSERT INTO sts_sessions (access_key_id, secret_access_key, session_token, account_id, kind,
         arn, user_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#select = db.prepare('SELECT * FROM sts_sessions WHERE access_key_id = ?');
    this.#purge = db.prepare('DELETE FROM sts_sessions WHERE expires_at < ?');
  }

  get closed(): boolean {
    return !this.#db.open;
  }

  /** Issues a credential for `principal`, valid `durationMs` (or the configured cap, if shorter). */
  issue(principal: {
    accountId: string;
    kind: IssuedSession['kind'];
    arn: string;
    userId: string;
    durationMs: number;
  }): IssuedSession {
    const now = Date.now();
    const lifetime = Math.min(
      principal.durationMs,
      this.#maxLifetimeMs ?? Number.POSITIVE_INFINITY,
    );
    const session: IssuedSession = {
      // AWS's temporary key ids start with ASIA, long-term ones with AKIA.
      accessKeyId: `ASIA${base32Id(randomBytes(16), 16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(192).toString('base64'),
      accountId: principal.accountId,
      kind: principal.kind,
      arn: principal.arn,
      userId: principal.userId,
      expiresAt: now + lifetime,
    };
    this.#purge.run(now - KEEP_EXPIRED_MS);
    this.#insert.run(
      session.accessKeyId,
      session.secretAccessKey,
      session.sessionToken,
      session.accountId,
      session.kind,
      session.arn,
      session.userId,
      session.expiresAt,
      now,
    );
    this.#remember(session);
    return session;
  }

  /** The issued credential with this access key id (expired ones included), or undefined. */
  find(accessKeyId: string): IssuedSession | undefined {
    const cached = this.#cache.get(accessKeyId);
    if (cached !== undefined) return cached;
    if (!accessKeyId.startsWith('ASIA') || !this.#db.open) return undefined;
    const row = this.#select.get(accessKeyId) as SessionRow | undefined;
    if (row === undefined) return undefined;
    const session = fromRow(row);
    this.#remember(session);
    return session;
  }

  #remember(session: IssuedSession): void {
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(session.accessKeyId, session);
  }
}

const stores = new WeakMap<Database, SessionStore>();

/** The session store of the emulator's database, capped as the emulator's configuration says. */
export function sessionStoreOf(
  db: Database,
  config: { maxSessionLifetimeMs?: number },
): SessionStore {
  const maxLifetimeMs = config.maxSessionLifetimeMs;
  return sessionStoreFor(db, maxLifetimeMs !== undefined ? { maxLifetimeMs } : {});
}

/** The session store of an emulator database (one per database; the first caller's options). */
export function sessionStoreFor(db: Database, options: SessionStoreOptions = {}): SessionStore {
  let store = stores.get(db);
  if (!store || store.closed) {
    store = new SessionStore(db, options);
    stores.set(db, store);
  }
  return store;
}

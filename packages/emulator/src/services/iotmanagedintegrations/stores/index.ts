import type { MatterEndpoint } from '@c2c-kit/protocol';
import type Database from 'better-sqlite3';
import { DEFAULT_REGION } from '../../../config.js';
import type {
  AccountSettingDoc,
  AssociationDoc,
  CommandDoc,
  ConnectorDoc,
  DestinationDoc,
  DiscoveredDeviceDoc,
  DiscoveryDoc,
  NotificationConfigDoc,
  NotificationDestinationDoc,
  RejectedEvent,
  StoredEvent,
  ThingDoc,
} from './docs.js';
import {
  CLIENT_TOKEN_COLUMNS,
  EVENTS_COLUMNS,
  keyDiscoveredDevicesByDevice,
  migrateToRegions,
} from './migrate.js';
import { DocTable, type Owner } from './table.js';

/** A cluster state merged in the running transaction and not written yet. */
interface PendingState {
  readonly thingId: string;
  readonly endpointId: string;
  readonly clusterId: string;
  attributes: Record<string, unknown>;
  at: number;
}

/** Every managed-integrations table (`mi_…`), created at registration. */
export class MiStores {
  readonly connectors: DocTable<ConnectorDoc>;
  readonly destinations: DocTable<DestinationDoc>;
  readonly associations: DocTable<AssociationDoc>;
  readonly discoveries: DocTable<DiscoveryDoc>;
  readonly discovered: DocTable<DiscoveredDeviceDoc>;
  readonly things: DocTable<ThingDoc>;
  readonly commands: DocTable<CommandDoc>;
  readonly notificationDestinations: DocTable<NotificationDestinationDoc>;
  readonly notificationConfigs: DocTable<NotificationConfigDoc>;
  readonly settings: DocTable<AccountSettingDoc>;
  readonly db: Database.Database;
  readonly #insertEvent: Database.Statement;
  readonly #insertRejected: Database.Statement;
  readonly #upsertState: Database.Statement;
  readonly #stateOf: Database.Statement;
  readonly #stateRow: Database.Statement;
  readonly #stateCache = new Map<string, Record<string, unknown>>();
  /** Merged cluster states not written yet; `flushState` writes them inside the same transaction. */
  #pendingState = new Map<string, PendingState>();
  readonly #getToken: Database.Statement;
  readonly #putToken: Database.Statement;

  /** `defaultRegion` owns the rows of data dirs from before resources were scoped by region. */
  constructor(db: Database.Database, defaultRegion: string = DEFAULT_REGION) {
    this.db = db;
    migrateToRegions(db, defaultRegion);
    this.connectors = new DocTable(db, 'mi_cloud_connectors');
    this.destinations = new DocTable(db, 'mi_connector_destinations');
    this.associations = new DocTable(db, 'mi_account_associations');
    this.discoveries = new DocTable(db, 'mi_device_discoveries');
    this.discovered = new DocTable(db, 'mi_discovered_devices');
    keyDiscoveredDevicesByDevice(db);
    this.things = new DocTable(db, 'mi_managed_things');
    this.commands = new DocTable(db, 'mi_commands');
    this.notificationDestinations = new DocTable(db, 'mi_destinations');
    this.notificationConfigs = new DocTable(db, 'mi_notification_configurations');
    this.settings = new DocTable(db, 'mi_account_settings');
    db.exec(`CREATE TABLE IF NOT EXISTS mi_connector_events (${EVENTS_COLUMNS});
    CREATE TABLE IF NOT EXISTS mi_rejected_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL,
      connector_id TEXT NOT NULL,
      reason TEXT NOT NULL, received_at INTEGER NOT NULL, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS mi_thing_state (
      thing_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, cluster_id TEXT NOT NULL,
      attributes TEXT NOT NULL, updated_at INTEGER NOT NULL,
      PRIMARY KEY (thing_id, endpoint_id, cluster_id));
    CREATE TABLE IF NOT EXISTS mi_client_tokens (${CLIENT_TOKEN_COLUMNS});`);
    this.#insertEvent = db.prepare(
      'INSERT INTO mi_connector_events (account, region, connector_id, operation, trace_id, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#insertRejected = db.prepare(
      'INSERT INTO mi_rejected_events (account, region, connector_id, reason, received_at, body) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#upsertState = db.prepare(
      `INSERT INTO mi_thing_state (thing_id, endpoint_id, cluster_id, attributes, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(thing_id, endpoint_id, cluster_id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at`,
    );
    this.#stateOf = db.prepare(
      'SELECT endpoint_id, cluster_id, attributes FROM mi_thing_state WHERE thing_id = ? ORDER BY endpoint_id, cluster_id',
    );
    this.#stateRow = db.prepare(
      'SELECT attributes FROM mi_thing_state WHERE thing_id = ? AND endpoint_id = ? AND cluster_id = ?',
    );
    this.#getToken = db.prepare(
      'SELECT fingerprint, response FROM mi_client_tokens WHERE account = ? AND region = ? AND operation = ? AND token = ?',
    );
    this.#putToken = db.prepare(
      'INSERT OR REPLACE INTO mi_client_tokens (account, region, operation, token, fingerprint, response) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** Appends an accepted connector event (raw JSON text kept verbatim); returns its seq. */
  insertEvent(
    owner: Owner,
    connectorId: string,
    operation: string,
    traceId: string | undefined,
    receivedAt: number,
    bodyText: string,
  ): number {
    return Number(
      this.#insertEvent.run(
        owner.account,
        owner.region,
        connectorId,
        operation,
        traceId ?? null,
        receivedAt,
        bodyText,
      ).lastInsertRowid,
    );
  }

  insertRejected(
    owner: Owner,
    connectorId: string,
    reason: string,
    receivedAt: number,
    bodyText: string,
  ): number {
    return Number(
      this.#insertRejected.run(
        owner.account,
        owner.region,
        connectorId,
        reason,
        receivedAt,
        bodyText,
      ).lastInsertRowid,
    );
  }

  /**
   * Merges attribute values into a thing's cluster state (last write per attribute wins). Call
   * inside a group-committer unit: the merged state is written by `flushState`, which the
   * committer runs at the end of every transaction before it commits, so the state of a cluster
   * that several events of one batch touch is written once, with the final merge and the last
   * event's time, in the same transaction as those events.
   */
  mergeState(
    thingId: string,
    endpointId: string,
    clusterId: string,
    attributes: Record<string, unknown>,
    at: number,
  ): void {
    const key = `${thingId}\u0000${endpointId}\u0000${clusterId}`;
    const pending = this.#pendingState.get(key);
    let current = pending?.attributes ?? this.#stateCache.get(key);
    if (current === undefined) {
      const row = this.#stateRow.get(thingId, endpointId, clusterId) as
        | { attributes: string }
        | undefined;
      current = row === undefined ? {} : (JSON.parse(row.attributes) as Record<string, unknown>);
    }
    const merged = { ...current, ...attributes };
    if (pending === undefined) {
      this.#pendingState.set(key, { thingId, endpointId, clusterId, attributes: merged, at });
    } else {
      pending.attributes = merged;
      pending.at = at;
    }
    if (this.#stateCache.size > 50_000) this.#stateCache.clear();
    this.#stateCache.set(key, merged);
  }

  /**
   * Writes the cluster states merged since the last flush. Runs inside the committing transaction
   * (the group committer calls it last in every transaction); a failure rolls that transaction back.
   */
  flushState(): void {
    if (this.#pendingState.size === 0) return;
    const pending = this.#pendingState;
    this.#pendingState = new Map();
    for (const p of pending.values()) {
      this.#upsertState.run(
        p.thingId,
        p.endpointId,
        p.clusterId,
        JSON.stringify(p.attributes),
        p.at,
      );
    }
  }

  /**
   * The group-committer hooks these stores need: deferred state written last in every
   * transaction, caches dropped on rollback. `new GroupCommitter(db, stores.commitHooks())`.
   */
  commitHooks(): { beforeCommit: () => void; onRollback: () => void } {
    return { beforeCommit: () => this.flushState(), onRollback: () => this.dropStateCache() };
  }

  /** Forgets cached and unwritten state (after a rollback the cache may hold unwritten values). */
  dropStateCache(): void {
    this.#stateCache.clear();
    this.#pendingState.clear();
  }

  /** A thing's state as Matter endpoints (map form attributes). */
  stateOf(thingId: string): MatterEndpoint[] {
    const rows = this.#stateOf.all(thingId) as Array<{
      endpoint_id: string;
      cluster_id: string;
      attributes: string;
    }>;
    const endpoints = new Map<string, MatterEndpoint>();
    for (const r of rows) {
      let ep = endpoints.get(r.endpoint_id);
      if (ep === undefined) {
        ep = { id: r.endpoint_id, clusters: [] } as unknown as MatterEndpoint;
        endpoints.set(r.endpoint_id, ep);
      }
      (ep.clusters as unknown as unknown[]).push({
        id: r.cluster_id,
        attributes: JSON.parse(r.attributes) as Record<string, unknown>,
      });
    }
    return [...endpoints.values()];
  }

  events(limit: number, connectorId?: string): StoredEvent[] {
    const rows = (
      connectorId === undefined
        ? this.db.prepare('SELECT * FROM mi_connector_events ORDER BY seq DESC LIMIT ?').all(limit)
        : this.db
            .prepare(
              'SELECT * FROM mi_connector_events WHERE connector_id = ? ORDER BY seq DESC LIMIT ?',
            )
            .all(connectorId, limit)
    ) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      seq: r.seq as number,
      account: r.account as string,
      region: r.region as string,
      connectorId: r.connector_id as string,
      operation: r.operation as string,
      traceId: (r.trace_id as string | null) ?? null,
      receivedAt: r.received_at as number,
      body: JSON.parse(r.body as string) as unknown,
    }));
  }

  rejected(limit: number): RejectedEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM mi_rejected_events ORDER BY seq DESC LIMIT ?')
      .all(limit) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      seq: r.seq as number,
      account: r.account as string,
      region: r.region as string,
      connectorId: r.connector_id as string,
      reason: r.reason as string,
      receivedAt: r.received_at as number,
      body: JSON.parse(r.body as string) as unknown,
    }));
  }

  countEvents(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM mi_connector_events').get() as { n: number })
      .n;
  }

  /** A remembered ClientToken response (idempotent replay), if any. */
  clientToken(
    owner: Owner,
    operation: string,
    token: string,
  ): { fingerprint: string; response: unknown } | undefined {
    const row = this.#getToken.get(owner.account, owner.region, operation, token) as
      | { fingerprint: string; response: string }
      | undefined;
    return row === undefined
      ? undefined
      : { fingerprint: row.fingerprint, response: JSON.parse(row.response) as unknown };
  }

  rememberClientToken(
    owner: Owner,
    operation: string,
    token: string,
    fingerprint: string,
    response: unknown,
  ): void {
    this.#putToken.run(
      owner.account,
      owner.region,
      operation,
      token,
      fingerprint,
      JSON.stringify(response),
    );
  }
}

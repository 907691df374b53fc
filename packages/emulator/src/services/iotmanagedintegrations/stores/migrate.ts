import type Database from 'better-sqlite3';

/**
 * Schema migrations of the managed-integrations tables (`mi_…`) for data dirs written by earlier
 * versions. Each runs once, inside one transaction: a crash leaves the old schema or the new one.
 */

// Events are appended, and retention deletes only the oldest and never the newest
// (store/retention.ts), so a plain rowid key hands out the same increasing seq values
// AUTOINCREMENT did, without its sqlite_sequence row update on every insert (the emulator's
// hottest write).
export const EVENTS_COLUMNS = `seq INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
      connector_id TEXT NOT NULL, operation TEXT NOT NULL, trace_id TEXT,
      received_at INTEGER NOT NULL, body TEXT NOT NULL`;

/** The stored connector events, accepted and rejected, that `--retain-events` prunes. */
export const EVENT_TABLES = ['mi_connector_events', 'mi_rejected_events'] as const;

export const CLIENT_TOKEN_COLUMNS = `account TEXT NOT NULL, region TEXT NOT NULL,
      operation TEXT NOT NULL, token TEXT NOT NULL, fingerprint TEXT NOT NULL,
      response TEXT NOT NULL, PRIMARY KEY (account, region, operation, token)`;

/** The document tables (`DocTable`) whose rows gained an owning region. */
export const DOC_TABLES = [
  'mi_cloud_connectors',
  'mi_connector_destinations',
  'mi_account_associations',
  'mi_device_discoveries',
  'mi_discovered_devices',
  'mi_managed_things',
  'mi_commands',
  'mi_destinations',
  'mi_notification_configurations',
  'mi_account_settings',
] as const;

/** Region names interpolated into SQL defaults (the config's region) must look like one. */
function checkRegion(region: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new Error(`region: expected a region name such as us-east-1, got "${region}"`);
  }
  return region;
}

/** Whether `table` exists and lacks a `region` column (a data dir from before regions). */
function lacksRegion(db: Database.Database, table: string): boolean {
  const cols = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
  return cols.length > 0 && !cols.some((c) => c.name === 'region');
}

/** Adds the `region` column, every existing row in `region`. Returns whether it did. */
function addRegionColumn(db: Database.Database, table: string, region: string): boolean {
  if (!lacksRegion(db, table)) return false;
  db.exec(`ALTER TABLE ${table} ADD COLUMN region TEXT NOT NULL DEFAULT '${region}'`);
  return true;
}

/**
 * Data dirs written before the events table lost AUTOINCREMENT are moved to the new table once,
 * rows and seq values kept (run after the region column exists).
 */
function migrateEventsTable(db: Database.Database): void {
  const row = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'mi_connector_events'")
    .get() as { sql: string } | undefined;
  if (row === undefined || !/AUTOINCREMENT/i.test(row.sql)) return;
  db.exec(`CREATE TABLE mi_connector_events_next (${EVENTS_COLUMNS});
    INSERT INTO mi_connector_events_next (seq, account, region, connector_id, operation, trace_id, received_at, body)
      SELECT seq, account, region, connector_id, operation, trace_id, received_at, body FROM mi_connector_events;
    DROP TABLE mi_connector_events;
    ALTER TABLE mi_connector_events_next RENAME TO mi_connector_events;`);
}

/**
 * Scopes the rows of a data dir from before resources were owned by account AND region: every
 * existing row belongs to `defaultRegion` (the emulator's configured region, the only one those
 * versions served), except the encryption settings, which always named their region in their id.
 * Notification destinations and configurations are keyed `account|region|name` from now on.
 */
export function migrateToRegions(db: Database.Database, defaultRegion: string): void {
  const region = checkRegion(defaultRegion);
  db.transaction(() => {
    for (const table of DOC_TABLES) {
      if (!addRegionColumn(db, table, region)) continue;
      if (table === 'mi_destinations' || table === 'mi_notification_configurations') {
        // `account|name` → `account|region|name`.
        db.exec(
          `UPDATE ${table} SET id = account || '|' || region || substr(id, length(account) + 1)`,
        );
      } else if (table === 'mi_account_settings') {
        // `encryption:<account>:<region>`: the id says which region the setting is for.
        db.exec(`UPDATE ${table} SET region = substr(id, length(account) + 13)
          WHERE id = 'encryption:' || account || ':' || substr(id, length(account) + 13)`);
      }
    }
    addRegionColumn(db, 'mi_connector_events', region);
    addRegionColumn(db, 'mi_rejected_events', region);
    migrateEventsTable(db);
    if (lacksRegion(db, 'mi_client_tokens')) {
      db.exec(`CREATE TABLE mi_client_tokens_next (${CLIENT_TOKEN_COLUMNS});
        INSERT INTO mi_client_tokens_next (account, region, operation, token, fingerprint, response)
          SELECT account, '${region}', operation, token, fingerprint, response FROM mi_client_tokens;
        DROP TABLE mi_client_tokens;
        ALTER TABLE mi_client_tokens_next RENAME TO mi_client_tokens;`);
    }
  })();
}

/**
 * Discovered devices are found by their ConnectorDeviceId (CreateManagedThing's
 * AuthenticationMaterial) through `k3`; rows written before that key existed get it once.
 */
export function keyDiscoveredDevicesByDevice(db: Database.Database): void {
  db.exec(`UPDATE mi_discovered_devices SET k3 = json_extract(doc, '$.ConnectorDeviceId')
    WHERE k3 IS NULL`);
}

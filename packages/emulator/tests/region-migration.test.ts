import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { DB_FILE_NAME } from '../src/plugins/db.js';
import { miClient } from './helpers/mi-client.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const ACCOUNT = TEST_CREDENTIALS.accountId;

/** The `mi_…` document table exactly as versions before regions created it. */
function oldDocTable(db: Database.Database, name: string): void {
  db.exec(`CREATE TABLE ${name} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      account TEXT NOT NULL,
      k1 TEXT, k2 TEXT, k3 TEXT,
      doc TEXT NOT NULL
    );
    CREATE INDEX ${name}_account ON ${name}(account, seq);
    CREATE INDEX ${name}_k1 ON ${name}(k1);
    CREATE INDEX ${name}_k2 ON ${name}(k2);
    CREATE INDEX ${name}_k3 ON ${name}(k3);`);
}

/** A data dir as the previous schema left it: rows with no region. */
function previousDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'emu-region-'));
  dirs.push(dir);
  const db = new Database(join(dir, DB_FILE_NAME));
  for (const name of [
    'mi_cloud_connectors',
    'mi_connector_destinations',
    'mi_destinations',
    'mi_notification_configurations',
    'mi_account_settings',
  ]) {
    oldDocTable(db, name);
  }
  db.exec(`CREATE TABLE mi_connector_events (seq INTEGER PRIMARY KEY, account TEXT NOT NULL,
      connector_id TEXT NOT NULL, operation TEXT NOT NULL, trace_id TEXT,
      received_at INTEGER NOT NULL, body TEXT NOT NULL);
    CREATE TABLE mi_client_tokens (
      account TEXT NOT NULL, operation TEXT NOT NULL, token TEXT NOT NULL,
      fingerprint TEXT NOT NULL, response TEXT NOT NULL, PRIMARY KEY (account, operation, token));`);
  const put = (table: string, id: string, doc: unknown, k1: string | null = null, k2 = null) =>
    db
      .prepare(`INSERT INTO ${table} (id, account, k1, k2, doc) VALUES (?, ?, ?, ?, ?)`)
      .run(id, ACCOUNT, k1, k2, JSON.stringify(doc));
  put(
    'mi_cloud_connectors',
    'oldconnector',
    {
      Id: 'oldconnector',
      Name: 'old',
      EndpointConfig: { lambda: { arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:old` } },
      EndpointType: 'LAMBDA',
      Type: 'UNLISTED',
    },
    `arn:aws:lambda:us-east-1:${ACCOUNT}:function:old`,
  );
  put('mi_destinations', `${ACCOUNT}|feed`, {
    Name: 'feed',
    DeliveryDestinationArn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/feed`,
    DeliveryDestinationType: 'KINESIS',
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/feed`,
    CreatedAt: 1000,
    UpdatedAt: 1000,
  });
  put('mi_notification_configurations', `${ACCOUNT}|DEVICE_EVENT`, {
    EventType: 'DEVICE_EVENT',
    DestinationName: 'feed',
    CreatedAt: 1000,
    UpdatedAt: 1000,
  });
  put('mi_account_settings', `encryption:${ACCOUNT}:eu-west-1`, {
    encryptionType: 'CUSTOMER_KEY_ENCRYPTION',
    kmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1`,
  });
  db.prepare(
    'INSERT INTO mi_connector_events (account, connector_id, operation, trace_id, received_at, body) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(ACCOUNT, 'oldconnector', 'DEVICE_EVENT', null, 1000, '{}');
  db.prepare(
    'INSERT INTO mi_client_tokens (account, operation, token, fingerprint, response) VALUES (?, ?, ?, ?, ?)',
  ).run(
    ACCOUNT,
    'CreateCloudConnector',
    'tok',
    '{"Name":"old","EndpointConfig":{"lambda":{"arn":"x"}}}',
    '{"Id":"oldconnector"}',
  );
  db.close();
  return dir;
}

describe('data dirs from before regions', () => {
  it('migrate every row to the configured default region and keep serving it', async () => {
    const emu = await startEmulator({
      dataDir: previousDataDir(),
      credentials: [TEST_CREDENTIALS],
      region: 'us-east-1',
    });
    try {
      const east = miClient(emu.url, TEST_CREDENTIALS, 'us-east-1');
      const west = miClient(emu.url, TEST_CREDENTIALS, 'eu-west-1');

      expect((await east('GetCloudConnector', { Identifier: 'oldconnector' })).json.Name).toBe(
        'old',
      );
      expect((await west('GetCloudConnector', { Identifier: 'oldconnector' })).status).toBe(404);
      const config = await east('GetNotificationConfiguration', { EventType: 'DEVICE_EVENT' });
      expect(config.json.DestinationName).toBe('feed');
      expect((await east('GetDestination', { Name: 'feed' })).status).toBe(200);
      expect((await west('GetDestination', { Name: 'feed' })).status).toBe(404);
      // A remembered ClientToken still replays in the default region.
      const replay = await east('CreateCloudConnector', {
        Name: 'old',
        EndpointConfig: { lambda: { arn: 'x' } },
        ClientToken: 'tok',
      });
      expect(replay.json.Id, replay.text).toBe('oldconnector');
      // The encryption setting named its region in its id: it stays eu-west-1's.
      expect((await west('GetDefaultEncryptionConfiguration', {})).json.encryptionType).toBe(
        'CUSTOMER_KEY_ENCRYPTION',
      );
      expect((await east('GetDefaultEncryptionConfiguration', {})).json.encryptionType).toBe(
        'MANAGED_INTEGRATIONS_DEFAULT_ENCRYPTION',
      );
      const events = emu.app.managedIntegrations.stores.events(10);
      expect(events.map((e) => [e.connectorId, e.region])).toEqual([['oldconnector', 'us-east-1']]);
    } finally {
      await emu.close();
    }
  });
});

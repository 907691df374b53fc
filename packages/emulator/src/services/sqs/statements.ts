import type { Database, Statement } from 'better-sqlite3';

const SQL = {
  queueByName: 'SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?',
  queueByArn: 'SELECT * FROM sqs_queues WHERE arn = ?',
  insertQueue:
    'INSERT INTO sqs_queues (account_id, region, name, arn, attributes, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  updateQueueAttrs: 'UPDATE sqs_queues SET attributes = ?, modified_at = ? WHERE arn = ?',
  listQueues:
    "SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name LIKE ? ESCAPE '\\' ORDER BY name",
  deleteQueue: 'DELETE FROM sqs_queues WHERE arn = ?',
  purge: 'DELETE FROM sqs_messages WHERE queue_arn = ?',
  insertMessage: `INSERT INTO sqs_messages (message_id, queue_arn, body, md5_body, message_attributes, md5_attributes,
         system_attributes, sender_id, sent_at, visible_at, group_id, dedup_id, sequence_number)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  expire: 'DELETE FROM sqs_messages WHERE queue_arn = ? AND sent_at <= ?',
  // Earliest-visible first: walks the (queue_arn, visible_at, rowid) index with no sort.
  candidates: `SELECT * FROM sqs_messages WHERE queue_arn = ? AND visible_at <= ? ORDER BY visible_at, rowid LIMIT ?`,
  fifoCandidates: `SELECT * FROM sqs_messages m WHERE m.queue_arn = ? AND m.visible_at <= ?
         AND NOT EXISTS (SELECT 1 FROM sqs_messages o WHERE o.queue_arn = m.queue_arn
           AND o.group_id = m.group_id AND o.rowid < m.rowid)
         AND NOT EXISTS (SELECT 1 FROM sqs_messages o WHERE o.queue_arn = m.queue_arn
           AND o.group_id = m.group_id AND o.visible_at > ? AND o.receive_count > 0)
       ORDER BY m.rowid LIMIT ?`,
  markReceived: `UPDATE sqs_messages SET receive_count = receive_count + 1,
         first_received_at = COALESCE(first_received_at, ?), visible_at = ?, receipt_token = ?
       WHERE rowid = ?`,
  moveToDlq:
    'UPDATE sqs_messages SET queue_arn = ?, receive_count = 0, visible_at = ?, receipt_token = NULL WHERE rowid = ?',
  messageById: 'SELECT * FROM sqs_messages WHERE message_id = ? AND queue_arn = ?',
  deleteMessage: 'DELETE FROM sqs_messages WHERE message_id = ? AND queue_arn = ?',
  setVisibility: 'UPDATE sqs_messages SET visible_at = ? WHERE rowid = ?',
  counts: `SELECT
         SUM(CASE WHEN visible_at <= @now THEN 1 ELSE 0 END) AS visible,
         SUM(CASE WHEN visible_at > @now AND receive_count > 0 THEN 1 ELSE 0 END) AS inflight,
         SUM(CASE WHEN visible_at > @now AND receive_count = 0 THEN 1 ELSE 0 END) AS delayed
       FROM sqs_messages WHERE queue_arn = @arn`,
  nextVisible:
    'SELECT MIN(visible_at) AS t FROM sqs_messages WHERE queue_arn = ? AND visible_at > ?',
  dedupGet: 'SELECT * FROM sqs_dedup WHERE queue_arn = ? AND dedup_id = ? AND expires_at > ?',
  dedupPut:
    'INSERT OR REPLACE INTO sqs_dedup (queue_arn, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)',
  setSequence: 'UPDATE sqs_messages SET sequence_number = ? WHERE rowid = ?',
} as const;

/**
 * The SQS tables (`sqs_queues`, `sqs_messages`, `sqs_dedup`) and every statement the store runs
 * on them, prepared once.
 */
export function openSqsTables(db: Database): SqsStatements {
  db.exec(`
    CREATE TABLE IF NOT EXISTS sqs_queues (
      account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
      attributes TEXT NOT NULL, created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, region, name));
    CREATE TABLE IF NOT EXISTS sqs_messages (
      rowid INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE,
      queue_arn TEXT NOT NULL, body TEXT NOT NULL, md5_body TEXT NOT NULL,
      message_attributes TEXT NOT NULL, md5_attributes TEXT, system_attributes TEXT NOT NULL,
      sender_id TEXT NOT NULL, sent_at INTEGER NOT NULL, first_received_at INTEGER,
      receive_count INTEGER NOT NULL DEFAULT 0, visible_at INTEGER NOT NULL, receipt_token TEXT,
      group_id TEXT, dedup_id TEXT, sequence_number TEXT);
    CREATE INDEX IF NOT EXISTS sqs_messages_by_queue ON sqs_messages (queue_arn, visible_at, rowid);
    CREATE INDEX IF NOT EXISTS sqs_messages_by_age ON sqs_messages (queue_arn, sent_at);
    CREATE TABLE IF NOT EXISTS sqs_dedup (
      queue_arn TEXT NOT NULL, dedup_id TEXT NOT NULL, message_id TEXT NOT NULL,
      sequence_number TEXT, expires_at INTEGER NOT NULL, PRIMARY KEY (queue_arn, dedup_id));
  `);
  const prepared: Partial<Record<keyof typeof SQL, Statement>> = {};
  for (const [name, sql] of Object.entries(SQL))
    prepared[name as keyof typeof SQL] = db.prepare(sql);
  return prepared as SqsStatements;
}

export type SqsStatements = { readonly [K in keyof typeof SQL]: Statement };

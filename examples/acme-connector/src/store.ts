import { type ConnectorStore, lazyStore } from '@c2c-kit/connector';

/**
 * The connector store (webhook de-duplication, per-device parked markers) all of the function's
 * workers share: DynamoDB in AWS (`C2C_STORE_TABLE`), one SQLite file locally
 * (`C2C_STORE_SQLITE_PATH`, as `c2c dev` sets it). Neither: `undefined` — the runtime's per-worker
 * memory store, which holds across nothing.
 *
 * Loaded on first use. The DynamoDB entry is imported by name, so a Lambda bundle carries it (the
 * AWS SDK stays external); the SQLite entry's name is a variable, so no bundle ever pulls in its
 * native module — it is only loaded from node_modules, where `c2c dev` runs the connector.
 */
export function connectorStore(config: {
  storeTable?: string;
  storeSqlitePath?: string;
}): ConnectorStore | undefined {
  const { storeTable, storeSqlitePath } = config;
  if (storeTable) {
    return lazyStore(async () => {
      const { DynamoDbIdempotencyStore } = await import('@c2c-kit/connector/dynamodb');
      return new DynamoDbIdempotencyStore({ tableName: storeTable });
    });
  }
  if (storeSqlitePath) {
    return lazyStore(async () => {
      const entry: string = '@c2c-kit/connector/sqlite';
      const { SqliteIdempotencyStore } = (await import(
        entry
      )) as typeof import('@c2c-kit/connector/sqlite');
      return new SqliteIdempotencyStore(storeSqlitePath);
    });
  }
  return undefined;
}

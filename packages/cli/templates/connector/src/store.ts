import { type ConnectorStore, lazyStore } from '@c2c-kit/connector';

/** What the SQLite entry of `@c2c-kit/connector` gives (typed here: this project has no SQLite). */
type SqliteEntry = { SqliteIdempotencyStore: new (file: string) => ConnectorStore };

/**
 * The connector store every worker of the function shares — webhook de-duplication, deactivated
 * users, command idempotency, parked events' markers — so a webhook replayed to another worker,
 * or a command delivered twice, is still recognised:
 * - in AWS, the DynamoDB table the deployment creates (`C2C_STORE_TABLE`);
 * - under `c2c dev` and `c2c test`, the stack's SQLite file (`C2C_STORE_SQLITE_PATH`), loaded
 *   from the stack's own copy of the store (`C2C_STORE_SQLITE_MODULE`), so this project needs
 *   no native module.
 * Neither: undefined, and the runtime keeps a store per worker, which holds across nothing.
 */
export function sharedStore(env: NodeJS.ProcessEnv = process.env): ConnectorStore | undefined {
  const table = env.C2C_STORE_TABLE;
  if (table) {
    return lazyStore(async () => {
      const { DynamoDbIdempotencyStore } = await import('@c2c-kit/connector/dynamodb');
      return new DynamoDbIdempotencyStore({ tableName: table });
    });
  }
  const file = env.C2C_STORE_SQLITE_PATH;
  const entry = env.C2C_STORE_SQLITE_MODULE;
  if (file && entry) {
    return lazyStore(async () => {
      const { SqliteIdempotencyStore } = (await import(entry)) as SqliteEntry;
      return new SqliteIdempotencyStore(file);
    });
  }
  return undefined;
}

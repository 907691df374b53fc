/**
 * The connector store in DynamoDB (AWS): idempotency records and per-device parked markers in one
 * table, shared by every execution environment of the function. A separate entry point
 * (`@c2c-kit/connector/dynamodb`) so the main bundle never carries the DynamoDB client;
 * `@aws-sdk/client-dynamodb` is an optional peer dependency (the Lambda runtime provides it),
 * imported on the store's first call: a bundle that holds this module in one file with the rest
 * (esbuild hoists static imports of external packages) must not load the SDK client at its cold
 * start, about 100 ms, for invocations that never touch the store.
 *
 * Table (see the README, "DynamoDB table"): partition key `pk` (S), sort key `sk` (S), TTL
 * attribute `ttl` (epoch seconds). Items:
 * - idempotency record: `pk = "idem#" + key`, `sk = "idem"`, `status`, `expiresAt` (epoch ms),
 *   `result` (JSON text, optional);
 * - parked marker: `pk = "parked#" + deviceKey`, `sk = parkId`, `expiresAt` (epoch ms).
 * `expiresAt` decides (TTL deletion lags by up to days); `ttl` only lets DynamoDB clean up.
 */
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { ConnectorConfigError } from './errors.js';
import type { ConnectorStore, IdempotencyRecord, PutIfAbsentResult } from './idempotency/store.js';

type AttributeValue = import('@aws-sdk/client-dynamodb').AttributeValue;
type Item = Record<string, AttributeValue>;
type Sdk = typeof import('@aws-sdk/client-dynamodb');

let sdk: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => {
  sdk ??= import('@aws-sdk/client-dynamodb').catch((error: unknown) => {
    sdk = undefined; // a failed load is tried again by the next call
    throw error;
  });
  return sdk;
};

/** The table the store needs: what a CDK construct or CloudFormation template creates. */
export const STORE_TABLE_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'ttl',
} as const;

export interface DynamoDbIdempotencyStoreOptions {
  /** Default env C2C_STORE_TABLE. */
  readonly tableName?: string;
  /** A client to use (its owner closes it); else one is made from `clientConfig`. */
  readonly client?: DynamoDBClient;
  /** Passed to `new DynamoDBClient(...)`; in Lambda the environment suffices. */
  readonly clientConfig?: DynamoDBClientConfig;
}

const IDEM_SK = 'idem';
/** Pages of expired markers read before giving up (they are rare: only crashes leave them). */
const MAX_MARKER_PAGES = 20;

export class DynamoDbIdempotencyStore implements ConnectorStore {
  readonly tableName: string;
  private client: DynamoDBClient | undefined;
  private readonly clientConfig: DynamoDBClientConfig;
  private readonly ownsClient: boolean;
  private closed = false;

  constructor(options: DynamoDbIdempotencyStoreOptions = {}) {
    const table = options.tableName ?? process.env.C2C_STORE_TABLE;
    if (!table) {
      throw new ConnectorConfigError(
        'DynamoDbIdempotencyStore tableName: expected the option or C2C_STORE_TABLE, got nothing',
      );
    }
    this.tableName = table;
    this.ownsClient = options.client === undefined;
    this.client = options.client;
    this.clientConfig = options.clientConfig ?? {};
  }

  /** The SDK module and the client, made on the first call when this store owns it. */
  private async sdk(): Promise<{ m: Sdk; client: DynamoDBClient }> {
    const m = await loadSdk();
    if (this.closed && this.ownsClient) {
      throw new Error('DynamoDbIdempotencyStore: used after close(), which destroyed its client');
    }
    this.client ??= new m.DynamoDBClient(this.clientConfig);
    return { m, client: this.client };
  }

  async putIfAbsent(record: IdempotencyRecord, now: number): Promise<PutIfAbsentResult> {
    const { m, client } = await this.sdk();
    try {
      await client.send(
        new m.PutItemCommand({
          TableName: this.tableName,
          Item: recordItem(record),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof m.ConditionalCheckFailedException)) throw error;
      const old = error.Item as Item | undefined;
      const existing = old ? fromItem(old) : await this.read(record.key);
      // Deleted between the failed put and the read: try again (bounded by the caller's retries).
      if (!existing) return this.putIfAbsent(record, now);
      return { created: false, existing };
    }
  }

  async put(record: IdempotencyRecord): Promise<void> {
    const { m, client } = await this.sdk();
    await client.send(
      new m.PutItemCommand({ TableName: this.tableName, Item: recordItem(record) }),
    );
  }

  async delete(key: string): Promise<void> {
    const { m, client } = await this.sdk();
    await client.send(new m.DeleteItemCommand({ TableName: this.tableName, Key: recordKey(key) }));
  }

  async get(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    const record = await this.read(key);
    return record && record.expiresAt > now ? record : undefined;
  }

  async markParked(deviceKey: string, parkId: string, expiresAt: number): Promise<void> {
    const { m, client } = await this.sdk();
    await client.send(
      new m.PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: `parked#${deviceKey}` },
          sk: { S: parkId },
          expiresAt: { N: String(expiresAt) },
          ttl: { N: String(Math.ceil(expiresAt / 1000)) },
        },
      }),
    );
  }

  async clearParked(deviceKey: string, parkId: string): Promise<void> {
    const { m, client } = await this.sdk();
    await client.send(
      new m.DeleteItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: `parked#${deviceKey}` }, sk: { S: parkId } },
      }),
    );
  }

  async isParked(deviceKey: string, now: number): Promise<boolean> {
    const { m, client } = await this.sdk();
    let start: Item | undefined;
    for (let page = 0; page < MAX_MARKER_PAGES; page++) {
      const res = await client.send(
        new m.QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: {
            ':pk': { S: `parked#${deviceKey}` },
            ':now': { N: String(now) },
          },
          ConsistentRead: true,
          Select: 'COUNT',
          Limit: 100,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      if ((res.Count ?? 0) > 0) return true;
      start = res.LastEvaluatedKey;
      if (!start) return false;
    }
    // Thousands of expired markers and no live one found yet: say parked (order over speed).
    return true;
  }

  /** Releases the client, if this store made it. */
  close(): void {
    this.closed = true;
    if (this.ownsClient) this.client?.destroy();
  }

  private async read(key: string): Promise<IdempotencyRecord | undefined> {
    const { m, client } = await this.sdk();
    const res = await client.send(
      new m.GetItemCommand({
        TableName: this.tableName,
        Key: recordKey(key),
        ConsistentRead: true,
      }),
    );
    return res.Item ? fromItem(res.Item) : undefined;
  }
}

function recordKey(key: string): Item {
  return { pk: { S: `idem#${key}` }, sk: { S: IDEM_SK } };
}

function recordItem(record: IdempotencyRecord): Item {
  return {
    ...recordKey(record.key),
    status: { S: record.status },
    expiresAt: { N: String(record.expiresAt) },
    ttl: { N: String(Math.ceil(record.expiresAt / 1000)) },
    ...(record.result === undefined ? {} : { result: { S: JSON.stringify(record.result) } }),
  };
}

function fromItem(item: Item): IdempotencyRecord {
  const pk = item.pk?.S ?? '';
  const status = item.status?.S === 'completed' ? 'completed' : 'in_progress';
  const result = item.result?.S;
  return {
    key: pk.startsWith('idem#') ? pk.slice(5) : pk,
    status,
    expiresAt: Number(item.expiresAt?.N ?? 0),
    ...(result === undefined ? {} : { result: JSON.parse(result) as unknown }),
  };
}

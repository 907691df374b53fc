import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type LoopbackServer, listenOnLoopback } from '../../local/loopback.js';
import { coreDeps } from '../../plugins/core-deps.js';
import {
  frameworkErrorToWire,
  sendAwsJson,
  sendAwsJsonError,
  targetOperation,
} from '../../protocols/awsJson.js';
import { jsonBodyOf, rawBodyOf } from '../../protocols/requestBody.js';

/**
 * DynamoDB behind the emulator's endpoint: requests signed for `dynamodb` are verified like every
 * other (SigV4) and handed to dynalite, a DynamoDB implementation on LevelDB, which the emulator
 * starts on a loopback port at the first such request — in memory, or under `<dataDir>/dynamodb`.
 * dynalite lacks UpdateTimeToLive; the emulator answers it and DescribeTimeToLive from SQLite
 * (`dynamodb_ttl`). Expired items are not deleted: DynamoDB deletes them lazily too (within days),
 * so readers check the TTL attribute themselves. dynalite keeps one namespace: every account and
 * region of the emulator sees the same tables.
 */

/** dynalite's server factory (it ships no types; loaded through require, so consumers need none). */
type Dynalite = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  /** LevelDB directory; in memory when unset. */
  path?: string;
}) => Server;

const TARGET_PREFIX = 'DynamoDB_20120810';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
// DynamoDB names request-level errors by its framework's shapes, as dynalite does too:
// `com.amazon.coral.validate#ValidationException`, `com.amazon.coral.service#…` for the rest.
const VALIDATE_PREFIX = 'com.amazon.coral.validate#';
const SERVICE_PREFIX = 'com.amazon.coral.service#';

const validationError = (message: string) => ({
  code: 'ValidationException',
  statusCode: 400,
  message,
});

export interface DynamoDbOptions {
  /** Keep the tables under `<dataDir>/dynamodb`; in memory when unset. */
  readonly dataDir?: string;
}

async function startBackend(dataDir: string | undefined): Promise<LoopbackServer> {
  // Loaded with the backend, at the first DynamoDB request: most emulators never get one, and
  // dynalite (with LevelDB) is among the largest modules the emulator would load at start.
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir === undefined ? {} : { path: join(dataDir, 'dynamodb') }),
  });
  return listenOnLoopback(server);
}

function ttlTable(db: Db) {
  db.exec(`CREATE TABLE IF NOT EXISTS dynamodb_ttl (
    table_name TEXT PRIMARY KEY, attribute_name TEXT NOT NULL, enabled INTEGER NOT NULL)`);
  return {
    get: (table: string) =>
      db
        .prepare('SELECT attribute_name AS a, enabled AS e FROM dynamodb_ttl WHERE table_name = ?')
        .get(table) as { a: string; e: number } | undefined,
    set: (table: string, attribute: string, enabled: boolean) =>
      db
        .prepare('INSERT OR REPLACE INTO dynamodb_ttl VALUES (?, ?, ?)')
        .run(table, attribute, enabled ? 1 : 0),
  };
}

async function dynamoDbRoutes(app: FastifyInstance, options: DynamoDbOptions): Promise<void> {
  const { db } = coreDeps(app);
  // Requests refused before the handler (SigV4, body limits) in DynamoDB's error shape.
  app.setErrorHandler((error, request, reply) =>
    sendAwsJsonError(reply, CONTENT_TYPE, SERVICE_PREFIX, frameworkErrorToWire(error, request)),
  );
  const ttl = ttlTable(db);
  let backend: Promise<LoopbackServer> | undefined;
  app.addHook('onClose', async () => {
    if (backend) await (await backend).close();
  });

  const forward = async (given: FastifyRequest['headers'], body: Buffer) => {
    backend ??= startBackend(options.dataDir);
    const headers: Record<string, string> = { 'content-type': CONTENT_TYPE };
    for (const name of ['x-amz-target', 'authorization', 'x-amz-date', 'x-amz-security-token']) {
      const v = given[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const { request: httpRequest } = await import('undici');
    const res = await httpRequest(`${(await backend).url}/`, { method: 'POST', headers, body });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  };

  app.post('/', { constraints: { awsService: 'dynamodb' } }, async (request, reply) => {
    const operation = targetOperation(request, TARGET_PREFIX);
    if (operation === 'UpdateTimeToLive' || operation === 'DescribeTimeToLive') {
      let input: {
        TableName?: unknown;
        TimeToLiveSpecification?: { AttributeName?: unknown; Enabled?: unknown };
      };
      try {
        input = (jsonBodyOf(request) ?? {}) as typeof input;
      } catch {
        return sendAwsJsonError(reply, CONTENT_TYPE, SERVICE_PREFIX, {
          code: 'SerializationException',
          statusCode: 400,
          message: 'request body: expected JSON',
        });
      }
      const table = input.TableName;
      if (typeof table !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(table)) {
        return sendAwsJsonError(
          reply,
          CONTENT_TYPE,
          VALIDATE_PREFIX,
          validationError('TableName: expected 3-255 characters of a-z, A-Z, 0-9, _ - .'),
        );
      }
      // The table must exist: dynalite says so in DescribeTable's words.
      const described = await forward(
        { ...request.headers, 'x-amz-target': `${TARGET_PREFIX}.DescribeTable` },
        Buffer.from(JSON.stringify({ TableName: table })),
      );
      if (described.status !== 200) {
        return reply
          .code(described.status)
          .header('content-type', CONTENT_TYPE)
          .send(described.body);
      }
      if (operation === 'DescribeTimeToLive') {
        const known = ttl.get(table);
        return sendAwsJson(reply, CONTENT_TYPE, {
          TimeToLiveDescription: known?.e
            ? { TimeToLiveStatus: 'ENABLED', AttributeName: known.a }
            : { TimeToLiveStatus: 'DISABLED' },
        });
      }
      const spec = input.TimeToLiveSpecification;
      if (
        typeof spec?.AttributeName !== 'string' ||
        spec.AttributeName === '' ||
        typeof spec.Enabled !== 'boolean'
      ) {
        return sendAwsJsonError(
          reply,
          CONTENT_TYPE,
          VALIDATE_PREFIX,
          validationError('TimeToLiveSpecification: expected {AttributeName, Enabled}'),
        );
      }
      ttl.set(table, spec.AttributeName, spec.Enabled);
      return sendAwsJson(reply, CONTENT_TYPE, {
        TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled },
      });
    }
    const out = await forward(request.headers, rawBodyOf(request));
    return reply.code(out.status).header('content-type', CONTENT_TYPE).send(out.body);
  });
}

async function dynamoDb(app: FastifyInstance, options: DynamoDbOptions): Promise<void> {
  // Its own context, so the error handler is DynamoDB's alone.
  await app.register(dynamoDbRoutes, options);
}

/** Registers DynamoDB (`POST /`, constraint `awsService: 'dynamodb'`), served by dynalite. */
export const dynamoDbPlugin = fp(dynamoDb, {
  name: '@c2c-kit/emulator-dynamodb',
  fastify: '5.x',
  dependencies: ['@c2c-kit/emulator-db', '@c2c-kit/emulator-sigv4'],
});

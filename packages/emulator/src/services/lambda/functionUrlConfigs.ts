import type { Database as Db } from 'better-sqlite3';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import { optString } from '../../protocols/jsonMembers.js';
import {
  bad,
  functionNameParam,
  LAMBDA,
  LAMBDA_API_DEPENDENCIES,
  lambdaTime,
  requestObject,
  sendJson,
} from './api.js';
import { LambdaServiceError } from './errors.js';
import { functionPackagesFor } from './functionPackages.js';
import type { FunctionInfo } from './functionRegistry.js';

/**
 * Function URL configurations (`lambda_function_url_configs`): Create-, Get-, Update- and
 * DeleteFunctionUrlConfig. A function made with CreateFunction has a URL once it is configured, as
 * on AWS; a function registered through `/_local/functions` (`c2c dev`, the tests) has one from the
 * start, AuthType NONE, as `c2c dev`'s stack would configure it.
 */

export interface UrlConfig {
  readonly authType: 'NONE' | 'AWS_IAM';
  readonly invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  readonly cors?: unknown;
  readonly createdAt: Date;
  readonly lastModified: Date;
}

interface Row {
  auth_type: string;
  invoke_mode: string;
  cors: string | null;
  created_at: number;
  modified_at: number;
}

type Key = { accountId: string; region: string; name: string };

export class FunctionUrlConfigs {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS lambda_function_url_configs (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, auth_type TEXT NOT NULL,
        invoke_mode TEXT NOT NULL, cors TEXT, created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, region, name));
    `);
  }

  #row(key: Key): Row | undefined {
    return this.#db
      .prepare(
        'SELECT * FROM lambda_function_url_configs WHERE account_id = ? AND region = ? AND name = ?',
      )
      .get(key.accountId, key.region, key.name) as Row | undefined;
  }

  /** The URL configuration of a function, or undefined when it has none. */
  of(info: FunctionInfo): UrlConfig | undefined {
    const row = this.#row(info);
    if (row) {
      return {
        authType: row.auth_type as UrlConfig['authType'],
        invokeMode: row.invoke_mode as UrlConfig['invokeMode'],
        ...(row.cors === null ? {} : { cors: JSON.parse(row.cors) as unknown }),
        createdAt: new Date(row.created_at),
        lastModified: new Date(row.modified_at),
      };
    }
    if (functionPackagesFor(this.#db).get(info)) return undefined;
    return {
      authType: 'NONE',
      invokeMode: 'BUFFERED',
      createdAt: info.createdAt,
      lastModified: info.lastModified,
    };
  }

  put(key: Key, c: Omit<UrlConfig, 'createdAt' | 'lastModified'>): void {
    const now = Date.now();
    this.#db
      .prepare(
        `INSERT INTO lambda_function_url_configs VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, region, name) DO UPDATE SET auth_type = excluded.auth_type,
           invoke_mode = excluded.invoke_mode, cors = excluded.cors, modified_at = excluded.modified_at`,
      )
      .run(
        key.accountId,
        key.region,
        key.name,
        c.authType,
        c.invokeMode,
        c.cors === undefined ? null : JSON.stringify(c.cors),
        now,
        now,
      );
  }

  forget(key: Key): boolean {
    return (
      this.#db
        .prepare(
          'DELETE FROM lambda_function_url_configs WHERE account_id = ? AND region = ? AND name = ?',
        )
        .run(key.accountId, key.region, key.name).changes > 0
    );
  }
}

const stores = new WeakMap<Db, FunctionUrlConfigs>();

export function functionUrlConfigsFor(db: Db): FunctionUrlConfigs {
  let store = stores.get(db);
  if (!store) {
    store = new FunctionUrlConfigs(db);
    stores.set(db, store);
  }
  return store;
}

/** The response shape of Create-, Get- and UpdateFunctionUrlConfig. */
export function urlConfigOut(info: FunctionInfo, c: UrlConfig): Record<string, unknown> {
  return {
    FunctionUrl: info.functionUrl,
    FunctionArn: info.arn,
    AuthType: c.authType,
    ...(c.cors === undefined ? {} : { Cors: c.cors }),
    CreationTime: lambdaTime(c.createdAt),
    LastModifiedTime: lambdaTime(c.lastModified),
    InvokeMode: c.invokeMode,
  };
}

function settingsOf(input: Record<string, unknown>, required: boolean) {
  const authType = optString(input, 'AuthType', bad);
  if (required && authType === undefined) throw bad('AuthType: required');
  if (authType !== undefined && authType !== 'NONE' && authType !== 'AWS_IAM') {
    throw bad(`AuthType: expected NONE or AWS_IAM, got ${JSON.stringify(authType)}`);
  }
  const invokeMode = optString(input, 'InvokeMode', bad);
  if (invokeMode !== undefined && invokeMode !== 'BUFFERED') {
    throw bad(`InvokeMode ${invokeMode}: the emulator's Function URLs are BUFFERED only`);
  }
  return { authType, cors: input.Cors };
}

async function functionUrlConfigRoutes(app: FastifyInstance): Promise<void> {
  const { config, db } = coreDeps(app);
  const host = app.lambdaHost;
  const urls = functionUrlConfigsFor(db);
  const target = (request: FastifyRequest): FunctionInfo => {
    if ((request.query as Record<string, unknown>).Qualifier !== undefined) {
      throw bad('Qualifier: the emulator configures URLs on $LATEST only');
    }
    return host.requireFunction(functionNameParam(request, 140), callerOf(request, config));
  };
  const path = '/2021-10-31/functions/:FunctionName/url';

  app.post(path, { constraints: LAMBDA }, async (request, reply) => {
    const info = target(request);
    const s = settingsOf(requestObject(request), true);
    if (urls.of(info) !== undefined && functionPackagesFor(db).get(info) !== undefined) {
      throw new LambdaServiceError(
        'ResourceConflictException',
        `Failed to create function url config for [functionArn = ${info.arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
      );
    }
    urls.put(info, {
      authType: s.authType as UrlConfig['authType'],
      invokeMode: 'BUFFERED',
      cors: s.cors,
    });
    const out = urlConfigOut(info, urls.of(info) as UrlConfig);
    delete out.LastModifiedTime;
    return sendJson(reply, 201, out);
  });

  app.get(path, { constraints: LAMBDA }, async (request, reply) => {
    const info = target(request);
    const current = urls.of(info);
    if (current === undefined) {
      throw new LambdaServiceError(
        'ResourceNotFoundException',
        'The resource you requested does not exist.',
      );
    }
    return sendJson(reply, 200, urlConfigOut(info, current));
  });

  app.put(path, { constraints: LAMBDA }, async (request, reply) => {
    const info = target(request);
    const current = urls.of(info);
    if (current === undefined) {
      throw new LambdaServiceError(
        'ResourceNotFoundException',
        `The resource you requested does not exist.`,
      );
    }
    const s = settingsOf(requestObject(request), false);
    urls.put(info, {
      authType: (s.authType ?? current.authType) as UrlConfig['authType'],
      invokeMode: 'BUFFERED',
      cors: s.cors ?? current.cors,
    });
    return sendJson(reply, 200, urlConfigOut(info, urls.of(info) as UrlConfig));
  });

  app.delete(path, { constraints: LAMBDA }, async (request, reply) => {
    const info = target(request);
    if (functionPackagesFor(db).get(info) === undefined) {
      throw bad(`${info.name} was registered through /_local/functions; its URL goes with it`);
    }
    if (!urls.forget(info)) {
      throw new LambdaServiceError(
        'ResourceNotFoundException',
        'The resource you requested does not exist.',
      );
    }
    return reply.code(204).send();
  });
}

export const lambdaFunctionUrlConfigRoutes = fp(functionUrlConfigRoutes, {
  name: '@c2c-kit/emulator-lambda-function-url-configs',
  fastify: '5.x',
  encapsulate: true,
  dependencies: LAMBDA_API_DEPENDENCIES,
  decorators: { fastify: ['lambdaHost'] },
});

import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { credentialScopeService } from '../sigv4/parse.js';

// find-my-way's strategy type, taken through Fastify so we do not depend on find-my-way directly.
type ConstraintStrategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];

/** Service names the emulator routes by (the SigV4 signing names). */
export type AwsServiceName =
  | 'iotmanagedintegrations'
  | 'lambda'
  | 'sqs'
  | 'secretsmanager'
  | 'kinesis'
  | 'sts'
  | 'dynamodb'
  | (string & {});

// Unsigned requests (only reachable with verification off) are routed the way the SDKs would
// have signed them.
const TARGET_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['AmazonSQS', 'sqs'],
  ['secretsmanager', 'secretsmanager'],
  ['Kinesis_20131202', 'kinesis'],
  ['DynamoDB_20120810', 'dynamodb'],
];

/**
 * The signing names the emulator has routes for. On AWS each service has its own endpoint; here one
 * endpoint serves them all, so the credential scope picks the service — except when it names none of
 * these (`iot`, `execute-api`, a typo): AWS would still route by endpoint, and answer that the scope
 * is wrong, so such a request is routed as an unsigned one would be and the SigV4 check refuses it.
 */
export const SERVED_SERVICES: ReadonlySet<string> = new Set([
  'iotmanagedintegrations',
  'lambda',
  'sqs',
  'secretsmanager',
  'sts',
  'dynamodb',
]);

/** Which AWS service a request is for: credential scope first, then the unsigned fallbacks. */
export function deriveAwsService(req: IncomingMessage): string {
  const authorization = req.headers.authorization;
  const url = req.url ?? '/';
  const scoped = credentialScopeService(authorization, url);
  if (scoped !== undefined && SERVED_SERVICES.has(scoped)) return scoped;
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    for (const [prefix, service] of TARGET_PREFIXES) {
      if (target.startsWith(prefix)) return service;
    }
  }
  if (url.startsWith('/2015-03-31/') || url.startsWith('/2021-10-31/')) return 'lambda';
  return 'iotmanagedintegrations';
}

/**
 * Fastify constraint strategy `awsService`: every AWS route declares
 * `constraints: { awsService: '<name>' }`; routes without it (`/_local/*`, Function URLs) match
 * whatever service a request derives to.
 */
export const awsServiceConstraint: ConstraintStrategy = {
  name: 'awsService',
  storage() {
    const handlers = new Map<string, unknown>();
    return {
      get: (value: string) => (handlers.get(value) ?? null) as never,
      set: (value: string, store: unknown) => {
        handlers.set(value, store);
      },
    };
  },
  deriveConstraint: (req: IncomingMessage) => deriveAwsService(req),
  mustMatchWhenDerived: false,
  validate(value: unknown) {
    if (typeof value !== 'string' || value === '') {
      throw new TypeError('awsService constraint must be a non-empty service name');
    }
  },
};

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

async function sqs(_app: FastifyInstance): Promise<void> {}

export const sqsPlugin = fp(sqs, { name: '@c2c-kit/emulator-sqs', fastify: '5.x' });

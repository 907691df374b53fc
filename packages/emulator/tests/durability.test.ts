import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { miClient } from './helpers/mi-client.js';
import { exited, spawnEmulator } from './helpers/spawn-bin.js';

// The test signs with the tests' key pair, so both processes are given it.
const KEY = [
  '--access-key',
  TEST_CREDENTIALS.accessKeyId,
  '--secret-key',
  TEST_CREDENTIALS.secretAccessKey,
];

const dir = mkdtempSync(join(tmpdir(), 'emu-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('durability: kill -9 during a stream of SendConnectorEvent calls', () => {
  it('every acknowledged (202) event is present after a restart on the same data dir', async () => {
    // Prepare
    const first = await spawnEmulator(['--data-dir', dir, '--log-level', 'warn', ...KEY]);
    const mi = miClient(first.url);
    const created = await mi('CreateCloudConnector', {
      Name: 'durable',
      EndpointConfig: { lambda: { arn: 'arn:aws:lambda:us-east-1:111122223333:function:durable' } },
    });
    expect(created.status).toBe(201);
    const connectorId = created.json.Id as string;
    const acked: string[] = [];
    let next = 0;
    let stop = false;
    const deadline = Date.now() + 15_000;

    // Act: 16 concurrent senders; the server is killed while they run.
    const sender = async () => {
      while (!stop && Date.now() < deadline && next < 20_000) {
        const traceId = `t-${next++}`;
        try {
          const res = await mi('SendConnectorEvent', {
            ConnectorId: connectorId,
            Operation: 'DEVICE_COMMAND_REQUEST',
            TraceId: traceId,
            ConnectorDeviceId: 'dev-1',
          });
          if (res.status === 202) acked.push(traceId);
        } catch {
          stop = true; // connection refused / reset: the server is gone
        }
      }
    };
    const senders = Array.from({ length: 16 }, sender);
    while (acked.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    await Promise.all(senders);
    await exited(first.child);

    const second = await spawnEmulator(['--data-dir', dir, '--log-level', 'warn', ...KEY]);
    try {
      const res = await request(
        `${second.url}/_local/events?limit=10000&connectorId=${connectorId}`,
      );
      const items = ((await res.body.json()) as { Items: Array<{ traceId: string }> }).Items;
      const stored = new Set(items.map((i) => i.traceId));

      // Assess
      expect(acked.length).toBeGreaterThanOrEqual(300);
      const lost = acked.filter((t) => !stored.has(t));
      expect(lost).toEqual([]);
      // The connector itself survived too.
      const again = await miClient(second.url)('GetCloudConnector', { Identifier: connectorId });
      expect(again.json.Name).toBe('durable');
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  }, 90_000);
});

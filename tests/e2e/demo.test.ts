import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DemoResult,
  type DevStack,
  describeNotification,
  runDemo,
  StepFailedError,
  startDevStack,
} from '@c2c-kit/cli';
import { runBin, startBin } from '@c2c-kit/testing';
import { waitForLine } from '@c2c-kit/testing/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The seed workflow end to end, headless: the same `runDemo` that `c2c dev --demo` narrates, on
// the real stack (emulator, vendor cloud, the reference connector in the Lambda host, dashboard).

let dataDir: string;
let stack: DevStack;
let result: DemoResult;
const narration: string[] = [];

function words(step: string, index = 0): string {
  const n = result.steps.find((s) => s.step === step)?.notifications[index];
  expect(n, `${step} notification ${index}`).toBeDefined();
  return describeNotification(n?.message).words;
}

describe('c2c dev --demo (in process)', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'c2c-e2e-'));
    stack = await startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
    result = await runDemo(stack, {
      step: (name, text) => narration.push(`▶ ${name}: ${text}`),
      ok: (_name, text) => narration.push(`✓ ${text}`),
      detail: (text) => narration.push(`· ${text}`),
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs every step in order', () => {
    expect(result.steps.map((s) => s.step)).toEqual([
      'link account',
      'discovery',
      'managed things',
      'camera motion',
      'fan to High',
    ]);
    expect(narration.filter((l) => l.startsWith('✓'))).toHaveLength(5);
  });

  it("discovery: DEVICE_DISCOVERY_STATUS reports success with alice's devices", () => {
    const n = result.steps.find((s) => s.step === 'discovery')?.notifications[0];
    expect(n?.eventType).toBe('DEVICE_DISCOVERY_STATUS');
    const payload = n?.message.payload as { status?: string; deviceCount?: number };
    expect(String(payload.status)).toMatch(/SUCCEEDED/i);
    expect(payload.deviceCount).toBeGreaterThanOrEqual(2);
  });

  it("managed things: registered to the demo's link (a new thing is UNASSOCIATED until then)", async () => {
    for (const thing of [result.cameraThingId, result.fanThingId]) {
      const links = await stack.client.send('ListManagedThingAccountAssociations', {
        ManagedThingId: thing,
      });
      expect(links.body).toEqual({
        Items: [
          {
            ManagedThingId: thing,
            AccountAssociationId: result.accountAssociationId,
            ManagedThingAssociationStatus: 'ASSOCIATED',
          },
        ],
      });
    }
  });

  it('camera motion: a DEVICE_EVENT about the camera, Occupancy occupied, in capability form', () => {
    const n = result.steps.find((s) => s.step === 'camera motion')?.notifications[0];
    expect(n?.eventType).toBe('DEVICE_EVENT');
    expect(JSON.stringify(n?.message.resources)).toContain(result.cameraThingId);
    expect(JSON.stringify(n?.message.payload)).toContain('matter.OccupancySensing@1.4');
    expect(words('camera motion')).toMatch(/· motion detected/);
  });

  it('fan to High: DEVICE_COMMAND result, then FanMode → High for the fan', () => {
    const [command, high] = result.steps.find((s) => s.step === 'fan to High')?.notifications ?? [];
    expect(command?.eventType).toBe('DEVICE_COMMAND');
    expect(JSON.stringify(command?.message)).toContain(result.fanThingId);
    expect(['DEVICE_STATE', 'DEVICE_EVENT']).toContain(high?.eventType);
    expect(JSON.stringify(high?.message.payload)).toContain('matter.FanControl@1.4');
    expect(words('fan to High', 1)).toMatch(/FanMode → High/);
  });

  it('a second start on the same data directory reuses the registration; the demo passes again', async () => {
    await stack.close();
    const again = await startDevStack({
      dataDir,
      emulatorPort: 0,
      vendorPort: 0,
      dashboardPort: 0,
    });
    try {
      expect(again.connectorId).toBe(stack.connectorId);
      const lines: string[] = [];
      const second = await runDemo(again, {
        step: () => {},
        ok: (_name, text) => lines.push(text),
        detail: (text) => lines.push(text),
      });
      expect(second.steps).toHaveLength(5);
      expect(lines.some((l) => l.startsWith('removed the link of an earlier demo run'))).toBe(true);
    } finally {
      await again.close();
    }
  }, 60_000);
});

describe('c2c dev (child process)', () => {
  // The repository root, where vitest runs: `c2c dev` looks for the connector from its directory.
  const ROOT = fileURLToPath(new URL('../..', import.meta.url));

  it('keeps running until SIGINT, then stops everything and exits 0', async () => {
    const args = ['dev', '--memory', '--port', '0', '--vendor-port', '0', '--dashboard-port', '0'];
    const started = startBin(args, { cwd: ROOT, timeoutMs: 55_000 });
    try {
      await waitForLine(started, (line) => line === 'Running. Press Ctrl-C to stop.', {
        timeoutMs: 45_000,
      });
      const stdout = started.stdout();
      expect(stdout).toContain('c2c dev is up');
      const dashboard = /Dashboard\s+(http:\/\/\S+)/.exec(stdout)?.[1];
      // As the page does: the API takes the token the server put into index.html.
      const page = await (await fetch(`${dashboard}/`)).text();
      const token = /name="c2c-dashboard-token" content="([\w-]+)"/.exec(page)?.[1] ?? '';
      expect((await fetch(`${dashboard}/api/config`)).status).toBe(403);
      const config = await fetch(`${dashboard}/api/config`, {
        headers: { 'x-c2c-dashboard-token': token },
      });
      expect(config.status).toBe(200);
      // The outbox queue (the connector retries it), its dead-letter queue and the command that
      // re-sends what is there, ready to copy.
      expect(stdout).toMatch(
        /^ {2}Outbox\s+http:\/\/\S+\/acme-connector-outbox\.fifo {3}\(retried by the connector\)$/m,
      );
      const dlq = /^ {2}Dead letters\s+(http:\/\/\S+\/acme-connector-outbox-dlq\.fifo)$/m.exec(
        stdout,
      )?.[1];
      expect(dlq).toBeDefined();
      expect(stdout).toContain(`replay: c2c replay --queue-url ${dlq}\n`);
      expect(stdout).toMatch(/✓ outbox queue\s+http:\/\/\S+\/acme-connector-outbox\.fifo/);
      started.child.kill('SIGINT');
      const result = await started.exited;
      expect(result).toMatchObject({ code: 0, timedOut: false });
      expect(result.stdout).toContain('SIGINT: stopping');
      expect(result.stdout).toContain('stopped.');
      await expect(fetch(`${dashboard}/api/config`)).rejects.toThrow();
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  }, 60_000);

  it('exits non-zero naming the step that failed', async () => {
    const result = await runBin(
      ['dev', '--demo', '--memory', '--connector', '/nonexistent/handler.js'],
      { cwd: ROOT, timeoutMs: 25_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('step "connector build" failed');
    expect(result.stderr).toContain('/nonexistent/handler.js does not exist');
  }, 30_000);

  it('StepFailedError carries the step for scripts', () => {
    const error = new StepFailedError('discovery', 'timed out');
    expect(error.code).toBe('C2C_CLI_STEP_FAILED');
    expect(error.step).toBe('discovery');
  });
});

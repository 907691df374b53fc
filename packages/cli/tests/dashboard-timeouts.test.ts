import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { dribbleBody, streamOpenAfter } from '@c2c-kit/testing/slow-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startDashboard } from '../src/dev/dashboardServer.js';

// The dashboard bounds receiving a request, not answering it: a client dribbling its body is
// dropped, while the SSE relay of notifications outlives the bound.

const BOUND_MS = 400;
let emu: RunningEmulator;
let dashboard: DashboardServer;

beforeAll(async () => {
  emu = await startEmulator({ memory: true });
  const credentials = emu.app.emulatorConfig.credentials[0];
  if (credentials === undefined) throw new Error('the emulator has no credentials');
  dashboard = await startDashboard({
    region: 'us-east-1',
    emulatorUrl: emu.url,
    vendorCloudUrl: 'http://127.0.0.1:9',
    customers: [{ accountId: credentials.accountId, name: 'Demo', credentials }],
    demoUsers: [],
    connectorDestinationId: () => undefined,
    notificationStreamUrl: (account) => `${emu.url}/_local/notifications/stream?account=${account}`,
    triggerVendorEvent: async () => ({ ok: true }),
    requestTimeoutMs: BOUND_MS,
    headersTimeoutMs: BOUND_MS,
  });
});
afterAll(async () => {
  await dashboard.close();
  await emu.close();
});

describe('dashboard request timeouts', () => {
  it('disconnects a client that sends its body one byte at a time (408 or a close)', async () => {
    const answer = await dribbleBody(
      dashboard.port,
      '/api/accounts/111122223333/operations/ListManagedThings',
      { everyMs: 150, headers: { 'x-c2c-dashboard-token': dashboard.token } },
    );
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps the SSE event relay open past the bound', async () => {
    const account = emu.app.emulatorConfig.credentials[0]?.accountId ?? '';
    const stream = await streamOpenAfter(
      dashboard.port,
      `/api/accounts/${account}/events`,
      BOUND_MS * 4,
      { 'x-c2c-dashboard-token': dashboard.token },
    );
    expect(stream.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(stream.open).toBe(true);
  });
});

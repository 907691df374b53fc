import { join } from 'node:path';
import { DeleteQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DevStack } from '@c2c-kit/cli';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, activeLinks, loginAtVendor, useBrowserStack } from './helpers/browser-stack.js';

// A connector invocation that really fails, seen in the dashboard's "Connector errors" panel.
// Nothing is injected into the emulator or the connector: the connector's SQS work queue is
// deleted (an operator mistake that happens), so its ACK of AWS.DiscoverDevices — a durable
// enqueue — fails, the connector answers responseCode 500, and the emulator turns that answer
// into a CONNECTOR_ERROR_REPORT notification, relayed to the browser over SSE.

let stack: DevStack;
let page: Page;
useBrowserStack('errors', (env) => ({ stack, page } = env));

interface StoredNotification {
  eventType: string;
  payload?: Record<string, unknown>;
  message?: { payload?: Record<string, unknown> };
}

async function connectorErrorReports(): Promise<unknown[]> {
  const res = await fetch(
    `${stack.emulatorUrl}/_local/notifications?eventType=CONNECTOR_ERROR_REPORT&limit=50`,
  );
  const body = (await res.json()) as { Items: StoredNotification[] };
  return body.Items;
}

describe('connector errors in the dashboard (chromium)', () => {
  it('shows a CONNECTOR_ERROR_REPORT when the connector fails AWS.DiscoverDevices', async () => {
    await page.goto(stack.dashboardUrl);
    await page.locator('#end-user').selectOption('alice');
    await expect
      .poll(() => page.locator('#stream-state').textContent(), { timeout: 10_000 })
      .toBe('live');
    await expect.poll(() => page.locator('#errors').textContent()).toContain('No connector errors');

    // Link the vendor account through the vendor's login page, as a customer would.
    await page.getByRole('button', { name: 'Link vendor account' }).click();
    await loginAtVendor(page, stack);
    const linked = activeLinks(page);
    await expect.poll(() => linked.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await connectorErrorReports()).toEqual([]);

    // Break the connector for real: its work queue disappears.
    const sqs = new SQSClient({
      endpoint: stack.emulatorUrl,
      region: stack.region,
      credentials: {
        accessKeyId: stack.customer.credentials.accessKeyId,
        secretAccessKey: stack.customer.credentials.secretAccessKey,
      },
    });
    try {
      const { QueueUrl } = await sqs.send(
        new GetQueueUrlCommand({ QueueName: 'acme-connector-work' }),
      );
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    } finally {
      sqs.destroy();
    }

    await linked.first().getByRole('button', { name: 'Discover devices' }).click();

    const panel = page.locator('#errors .event[data-event-type="CONNECTOR_ERROR_REPORT"]');
    await expect.poll(() => panel.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const words = await panel.first().locator('.words').textContent();
    expect(words).toMatch(
      /^Connector error 500 in AWS\.DiscoverDevices: AWS\.DiscoverDevices operation failed during invocation of the connector: AWS\.DiscoverDevices failed: /,
    );
    await expect.poll(() => page.locator('#errors .empty').count()).toBe(0);
    // The raw notification is one click away, with the service's fields.
    await panel.first().locator('summary').click();
    const raw = await panel.first().locator('pre').textContent();
    expect(raw).toContain('"messageType": "CONNECTOR_ERROR_REPORT"');
    expect(raw).toContain('"operation": "AWS.DiscoverDevices"');
    expect(raw).toContain('"statusCode": 500');
    await page.screenshot({
      path: join(ARTIFACTS, 'dashboard-connector-error.png'),
      fullPage: true,
    });

    // The same report is what the emulator published (not something the page made up).
    const reports = await connectorErrorReports();
    expect(reports).toHaveLength(1);
    expect(JSON.stringify(reports[0])).toContain('AWS.DiscoverDevices');
  }, 90_000);
});

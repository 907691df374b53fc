import { randomUUID } from 'node:crypto';
import { signStandardWebhook } from '@c2c-kit/connector';

/**
 * The Standard Webhooks headers a vendor cloud sends with `body`, signed now with `secret` (as
 * the connector's verifier expects); `id` is the delivery id (a fresh one by default, so the
 * connector's replay check sees a new delivery).
 */
export function webhookHeaders(
  secret: string,
  body: string | Buffer,
  id = `evt_${randomUUID()}`,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return signStandardWebhook({ secret, id, timestamp: Math.floor(Date.now() / 1000), body });
}

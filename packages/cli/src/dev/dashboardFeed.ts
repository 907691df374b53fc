import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectorValidationError } from '@c2c-kit/connector';
import type { ManagedIntegrationsClient, RawResponse } from '@c2c-kit/connector/client';
import type { OperationName, OperationShapes } from '@c2c-kit/protocol';
import { describeNotification, managedThingIdOf } from '../notifications.js';
import { BadRequest, sendJson } from './http.js';
import { formatSse, SseParser } from './sse.js';

export interface NotificationFeedOptions {
  /** The emulator's SSE notification stream for one customer account. */
  readonly streamUrl: (accountId: string) => string;
  /** Recent notifications of one account, replayed first so the feed survives a reload. */
  readonly recentUrl?: (accountId: string) => string;
  /** Open relays, ended when the dashboard closes. */
  readonly streams: Set<ServerResponse>;
}

/**
 * The dashboard's event feed: the emulator's notifications of one customer account, history
 * first, each put into words with its device's name (`Desk lamp · Brightness 31 %`).
 */
export class NotificationFeed {
  readonly #options: NotificationFeedOptions;
  readonly #names = new Map<string, string>();

  constructor(options: NotificationFeedOptions) {
    this.#options = options;
  }

  async relay(
    req: IncomingMessage,
    res: ServerResponse,
    accountId: string,
    client: ManagedIntegrationsClient,
  ) {
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    const upstream = await fetch(this.#options.streamUrl(accountId), {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!upstream.ok || upstream.body === null) {
      const refused = upstream.status >= 400 && upstream.status < 500;
      sendJson(res, refused ? upstream.status : 502, {
        error: refused ? 'UpstreamError' : 'UpstreamUnavailable',
        message: `notification stream answered HTTP ${upstream.status}`,
      });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    this.#options.streams.add(res);
    // Each emulator notification is re-framed as a `notification` event carrying the raw message
    // and its description in words, so the page needs no Matter table of its own.
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const relay = async (message: unknown, id: string | undefined, replayed: boolean) => {
      const thingId = managedThingIdOf(message);
      const name = thingId === undefined ? undefined : await this.#thingName(client, thingId);
      const described = describeNotification(message, name, timeOf(message));
      res.write(formatSse('notification', JSON.stringify({ ...described, replayed }), id));
    };
    try {
      // The live stream is subscribed (its headers came), so the history read now misses nothing;
      // a message in both is sent once, from the history.
      const replayedIds = new Set<string>();
      if (this.#options.recentUrl !== undefined) {
        const recent = await fetch(this.#options.recentUrl(accountId), {
          signal: abort.signal,
        });
        const body = (recent.ok ? await recent.json() : {}) as { Items?: unknown };
        for (const message of Array.isArray(body.Items) ? body.Items : []) {
          const id = (message as { messageId?: unknown }).messageId;
          if (typeof id === 'string') replayedIds.add(id);
          await relay(message, typeof id === 'string' ? id : undefined, true);
        }
      }
      for await (const chunk of upstream.body) {
        for (const event of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
          let message: unknown;
          try {
            message = JSON.parse(event.data);
          } catch {
            continue; // not a notification (e.g. a hello line); nothing to show
          }
          if (event.id !== undefined && replayedIds.delete(event.id)) continue;
          await relay(message, event.id, false);
        }
      }
    } catch {
      // The browser went away (abort) or the emulator stopped; either way the stream ends here.
    } finally {
      this.#options.streams.delete(res);
      res.end();
    }
  }

  async #thingName(client: ManagedIntegrationsClient, id: string): Promise<string | undefined> {
    const known = this.#names.get(id);
    if (known !== undefined) return known;
    const response = await send(client, 'GetManagedThing', { Identifier: id });
    const body = response.body as { Name?: unknown };
    if (response.statusCode === 200 && typeof body.Name === 'string') {
      this.#names.set(id, body.Name);
      return body.Name;
    }
    return undefined;
  }
}

/** When the service sent a notification (its `timestamp`), else now. */
function timeOf(message: unknown): number {
  // Epoch milliseconds, as a number or a string of digits (formatNotificationTimestamp).
  const stamp = String((message as { timestamp?: unknown } | null)?.timestamp ?? '');
  const at = /^\d{1,16}$/.test(stamp) ? Number(stamp) : Date.parse(stamp);
  return Number.isFinite(at) ? at : Date.now();
}

/** One signed call as the customer; an input the request cannot be built from is a 400. */
export async function send(
  client: ManagedIntegrationsClient,
  name: OperationName,
  input: unknown,
): Promise<RawResponse> {
  try {
    return await client.send(name, input as OperationShapes[OperationName]['input']);
  } catch (error) {
    if (error instanceof ConnectorValidationError) throw new BadRequest(error.message);
    throw error;
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import {
  type FaultConfig,
  injectedFault,
  type LoopbackServer,
  listenOnLoopback,
} from '@c2c-kit/emulator';
import { CONTROL, guardNodeRequest, ServerGuard } from '@c2c-kit/local-guard';
import {
  fromHttpRequest,
  matchOperation,
  ServiceException,
  toErrorResponse,
  ValidationException,
} from '@c2c-kit/protocol';

/**
 * SendConnectorEvent's faults, switched for one check (`retries.send-faults`): the in-process
 * emulator's own (`DevStack.setFaults`), or a `FaultProxy` in front of a running emulator.
 */
export interface FaultInjection {
  /** The faults from now on (the same shape as `c2c emulator --faults`); unset fields: none. */
  set(faults: Partial<FaultConfig>): void;
  /**
   * SendConnectorEvent requests the injection has seen so far, and of them held unanswered by
   * `hang`; undefined where it cannot tell (the emulator's own faults).
   */
  seen?(): { readonly requests: number; readonly held: number };
  /** Lifts the faults and puts the connector back as it was. */
  close(): Promise<void>;
}

const NONE: FaultConfig = { throttle: 0, error: 0, latencyMs: 0, hang: 0 };

/**
 * The suite's own managed-integrations endpoint on 127.0.0.1, between a deployed connector and a
 * running emulator for the length of one check (the connector's endpoint variable points here):
 * SendConnectorEvent gets the faults `set` asks for, exactly as `c2c emulator --faults` gives
 * them; everything else, and SendConnectorEvent without a fault, goes on to the emulator.
 *
 * A running emulator's faults are not switched instead because a request must never change a
 * local server's process-wide settings. A forwarded request is signed again, by `client` (the
 * suite's credentials, the connector's account): the emulator's Host check refuses a request
 * signed for this proxy's address, and SigV4 signs the Host. That is also why the proxy takes
 * requests only from this machine with its own Host and no foreign Origin (`CONTROL`).
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #guard: ServerGuard;
  readonly #client: ManagedIntegrationsClient;
  #listening: LoopbackServer | undefined;
  #faults: FaultConfig = { ...NONE };
  #requests = 0;
  #held = 0;

  constructor(client: ManagedIntegrationsClient) {
    this.#client = client;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        answer(
          res,
          new ServiceException({
            name: 'InternalServerException',
            message: `c2c test fault proxy: ${(error as Error).message}`,
            statusCode: 500,
          }),
        );
      });
    });
    this.#guard = new ServerGuard({ server: this.#server });
  }

  /** Listens on a free loopback port; returns its URL. */
  async start(): Promise<string> {
    this.#listening = await listenOnLoopback(this.#server);
    return this.#listening.url;
  }

  set(faults: Partial<FaultConfig>): void {
    this.#faults = { ...NONE, ...faults };
  }

  seen(): { requests: number; held: number } {
    return { requests: this.#requests, held: this.#held };
  }

  /** Stops listening and ends open connections, a held request's too. */
  async close(): Promise<void> {
    await this.#listening?.close();
    this.#listening = undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!guardNodeRequest(this.#guard, req, res, CONTROL)) return;
    const url = new URL(req.url ?? '/', 'http://proxy');
    const route = matchOperation(req.method ?? 'GET', url.pathname);
    if (route === undefined) {
      return answer(
        res,
        new ServiceException({
          name: 'UnknownOperationException',
          message: `${req.method} ${url.pathname} is no managed-integrations operation`,
          statusCode: 404,
        }),
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (route.name === 'SendConnectorEvent') {
      this.#requests += 1;
      const fault = await this.#fault(res);
      if (fault === 'gone') return;
      if (fault !== undefined) return answer(res, fault);
    }
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return answer(res, new ValidationException('the request body is not JSON'));
    }
    const query: Record<string, string[]> = {};
    for (const k of new Set(url.searchParams.keys())) query[k] = url.searchParams.getAll(k);
    const parsed = fromHttpRequest(route.name, {
      params: route.params,
      query,
      headers: req.headers,
      body,
    });
    if (!parsed.ok) {
      const issues = parsed.issues.map((i) => `${i.path || 'input'}: ${i.message}`);
      return answer(res, new ValidationException(issues.join('; ')));
    }
    const raw = await this.#client.send(route.name, parsed.value as never);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (raw.errorType !== undefined) headers['x-amzn-errortype'] = raw.errorType;
    res.writeHead(raw.statusCode, headers).end(raw.text);
  }

  /** The fault this SendConnectorEvent gets (the emulator's own rules); `gone`: held till left. */
  #fault(res: ServerResponse): Promise<ServiceException | 'gone' | undefined> {
    // Only a held request asks when its client is gone.
    return injectedFault(this.#faults, () => {
      this.#held += 1;
      return new Promise((r) => res.once('close', () => r()));
    });
  }
}

function answer(res: ServerResponse, error: ServiceException): void {
  const response = toErrorResponse(error);
  res.writeHead(response.statusCode, response.headers).end(JSON.stringify(response.body));
}

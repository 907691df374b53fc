import { checkRequest, type GuardPolicy, type GuardRequest, type Verdict } from './check.js';
import {
  type AllowedHosts,
  allowedHostsFor,
  type ListenAddress,
  normalizeAllowedHost,
  normalizeHostHeader,
  withOrigins,
} from './hosts.js';

/** The parts of a `net.Server` (or `http.Server`, Fastify's `app.server`) the guard reads. */
export interface GuardedServer {
  address(): ListenAddress;
  on(event: 'listening' | 'close', listener: () => void): unknown;
}

export interface ServerGuardOptions {
  /** The server guarded: its listening address gives the names it answers to. */
  readonly server: GuardedServer;
  /** Extra names the server answers to (`myhost.local`, `192.168.1.20:4000`). */
  readonly allowedHosts?: readonly string[];
  /** Completes the Host refusal: how to allow another name on this server. */
  readonly hint?: string;
}

/** The guard of one server: its allowed names, worked out once it listens, and `check`. */
export class ServerGuard {
  readonly #options: ServerGuardOptions;
  /** The listening address, read once per listen (undefined: not read since it last changed). */
  #address: ListenAddress | undefined;
  #allowed: AllowedHosts | undefined;

  constructor(options: ServerGuardOptions) {
    // A bad entry fails at start-up, not on the first request.
    for (const entry of options.allowedHosts ?? []) normalizeAllowedHost(entry, 80);
    this.#options = options;
    // `address()` is a system call: read it again only when the server (re)listens or closes,
    // not on every request.
    const changed = () => {
      this.#address = undefined;
      this.#allowed = undefined;
    };
    options.server.on('listening', changed);
    options.server.on('close', changed);
  }

  /**
   * The names this server answers to. Before it listens (an in-process `inject` call, which no
   * web page can reach) the request's own Host is the only one.
   */
  allowed(request: GuardRequest, refresh = false): AllowedHosts {
    this.#address ??= this.#options.server.address();
    const address = this.#address;
    if (address === null || typeof address === 'string') {
      const host = normalizeHostHeader(
        Array.isArray(request.headers.host) ? request.headers.host[0] : request.headers.host,
      );
      return withOrigins(new Set(host === undefined ? [] : [host]));
    }
    if (this.#allowed === undefined || refresh) {
      this.#allowed = allowedHostsFor(address, this.#options.allowedHosts);
    }
    return this.#allowed;
  }

  check(request: GuardRequest, policy: GuardPolicy): Verdict {
    const verdict = checkRequest(request, this.allowed(request), policy, this.#options.hint);
    if (verdict.ok || verdict.code !== 'LOCAL_GUARD_HOST') return verdict;
    // On a wildcard address the interfaces may have changed since (DHCP, VPN): look again once.
    return checkRequest(request, this.allowed(request, true), policy, this.#options.hint);
  }
}

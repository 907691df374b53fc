import { checkRequest, type GuardPolicy, type GuardRequest, type Verdict } from './check.js';
import {
  type AllowedHosts,
  allowedHostsFor,
  type ListenAddress,
  normalizeAllowedHost,
  normalizeHostHeader,
  withOrigins,
} from './hosts.js';

export interface ServerGuardOptions {
  /** The server's listening address (`server.address()`), read when requests arrive. */
  readonly address: () => ListenAddress;
  /** Extra names the server answers to (`myhost.local`, `192.168.1.20:4000`). */
  readonly allowedHosts?: readonly string[];
  /** Completes the Host refusal: how to allow another name on this server. */
  readonly hint?: string;
}

/** The guard of one server: its allowed names, worked out once it listens, and `check`. */
export class ServerGuard {
  readonly #options: ServerGuardOptions;
  #allowed: AllowedHosts | undefined;
  #key = '';

  constructor(options: ServerGuardOptions) {
    // A bad entry fails at start-up, not on the first request.
    for (const entry of options.allowedHosts ?? []) normalizeAllowedHost(entry, 80);
    this.#options = options;
  }

  /**
   * The names this server answers to. Before it listens (an in-process `inject` call, which no
   * web page can reach) the request's own Host is the only one.
   */
  allowed(request: GuardRequest, refresh = false): AllowedHosts {
    const address = this.#options.address();
    if (address === null || typeof address === 'string') {
      const host = normalizeHostHeader(
        Array.isArray(request.headers.host) ? request.headers.host[0] : request.headers.host,
      );
      return withOrigins(new Set(host === undefined ? [] : [host]));
    }
    const key = `${address.address}|${address.port}`;
    if (this.#allowed === undefined || this.#key !== key || refresh) {
      this.#allowed = allowedHostsFor(address, this.#options.allowedHosts);
      this.#key = key;
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

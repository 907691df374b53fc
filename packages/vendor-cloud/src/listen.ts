import { isLoopbackAddress } from '@c2c-kit/local-guard';
import { VendorConfigError } from './errors.js';

/** Where `startVendorCloud` listens; anything but loopback needs `allowNonLoopback: true`. */
export interface ListenOptions {
  /** 0 = any free port (the default). */
  port?: number;
  /** Interface; `127.0.0.1` by default. */
  host?: string;
  /**
   * Allow a `host` other machines can reach. Off by default: the simulation API (`/_sim`) and the
   * login page answer anyone who can connect.
   */
  allowNonLoopback?: boolean;
}

/** The host to listen on, or a VendorConfigError for a non-loopback host not allowed. */
export function listenHost(options: ListenOptions, how = 'pass allowNonLoopback: true'): string {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host) && options.allowNonLoopback !== true) {
    throw new VendorConfigError(
      'host',
      `refusing to listen on ${host}: not a loopback address; ${how} to allow it`,
    );
  }
  return host;
}

/** What the vendor-cloud commands warn when allowed to listen beyond loopback; `undefined` on loopback. */
export function nonLoopbackWarning(host: string): string | undefined {
  if (isLoopbackAddress(host)) return undefined;
  return `warning: listening on ${host}: anyone on your network can reach the unauthenticated simulation API (/_sim) and the demo users' login page`;
}

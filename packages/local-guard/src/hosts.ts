import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { LocalGuardConfigError } from './errors.js';

/** The names and origins one server answers to, each `name:port` lower-cased (`[::1]:8080`). */
export interface AllowedHosts {
  /** `name:port` values a Host header may carry (a Host without a port means port 80). */
  readonly hosts: ReadonlySet<string>;
  /** `http://name:port` values an Origin header may carry (`http://name` for port 80). */
  readonly origins: ReadonlySet<string>;
}

/** What `server.address()` returns: TCP address info, a pipe path, or null before listening. */
export type ListenAddress = { readonly address: string; readonly port: number } | string | null;

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
// RFC 1123 labels; an IPv6 literal must come in brackets, as it does in a Host header.
const HOST_NAME =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `::1` → `[::1]`; IPv4 addresses and names stay as they are. Zone ids are dropped. */
function hostPart(address: string): string {
  const bare = address.split('%')[0] ?? address;
  return isIP(bare) === 6 ? `[${bare.toLowerCase()}]` : bare.toLowerCase();
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === '::1' || a === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '::ffff:0.0.0.0';
}

/**
 * Normalises one `allowedHosts` entry: a host name, an IPv4 address or a bracketed IPv6 address,
 * optionally with `:port`. Without a port the server's own port is meant.
 */
export function normalizeAllowedHost(entry: string, port: number, label = 'allowedHosts'): string {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(entry.trim());
  const name = m?.[1]?.toLowerCase();
  const valid =
    name !== undefined &&
    (name.startsWith('[') ? isIP(name.slice(1, -1)) === 6 : HOST_NAME.test(name));
  if (!valid) {
    throw new LocalGuardConfigError(
      `${label}: expected a host name, IPv4 address or [IPv6] address with an optional :port, got ${JSON.stringify(entry)}`,
    );
  }
  return `${name}:${m?.[2] ?? port}`;
}

/**
 * A command line's `--allowed-hosts a,b:8080` as a list: comma-separated, blanks ignored, each
 * entry checked (throws `LocalGuardConfigError` naming a bad one).
 */
export function parseAllowedHosts(text: string, label = '--allowed-hosts'): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) normalizeAllowedHost(name, 80, label);
  return names;
}

/**
 * The Host values a server listening on `address` answers to: that address with its port; for a
 * loopback address also `localhost`, `127.0.0.1` and `[::1]`; for a wildcard address (0.0.0.0, ::)
 * every interface address of this machine and the loopback names; plus the `extra` names.
 */
export function allowedHostsFor(
  listen: { readonly address: string; readonly port: number },
  extra: readonly string[] = [],
): AllowedHosts {
  const { address, port } = listen;
  const names = new Set<string>([hostPart(address)]);
  if (isLoopbackAddress(address) || isWildcard(address)) {
    for (const name of LOOPBACK_NAMES) names.add(name);
  }
  if (isWildcard(address)) {
    for (const list of Object.values(networkInterfaces())) {
      for (const iface of list ?? []) names.add(hostPart(iface.address));
    }
  }
  const hosts = new Set([...names].map((name) => `${name}:${port}`));
  for (const entry of extra) hosts.add(normalizeAllowedHost(entry, port));
  return withOrigins(hosts);
}

/** Adds the origin each `name:port` stands for (browsers leave out the default port 80). */
export function withOrigins(hosts: ReadonlySet<string>): AllowedHosts {
  const origins = new Set<string>();
  for (const host of hosts) {
    origins.add(`http://${host}`);
    if (host.endsWith(':80')) origins.add(`http://${host.slice(0, -3)}`);
  }
  return { hosts, origins };
}

/** A Host header as `name:port`, lower-cased; no port means 80. Undefined when there is none. */
export function normalizeHostHeader(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  const lower = host.toLowerCase();
  const close = lower.lastIndexOf(']');
  return lower.indexOf(':', close + 1) === -1 ? `${lower}:80` : lower;
}

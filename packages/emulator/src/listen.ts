import { BlockList, isIP } from 'node:net';

// Loopback: 127.0.0.0/8, ::1 and IPv4-mapped 127.x (what a system resolver's `localhost` gives).
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * Whether listening on `host` keeps the server to this machine. Only literal loopback addresses
 * and `localhost` count; any other name could resolve to an address the network reaches.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = isIP(host);
  if (family === 0) return false;
  return LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** What `c2c-emulator` and `c2c emulator` warn when allowed to listen beyond loopback. */
export function nonLoopbackWarning(host: string, verify: boolean): string {
  const all = verify ? '' : ', and with --no-verify every API';
  return `warning: listening on ${host}: anyone on your network can reach the unsigned local APIs (/_local, Function URLs${all})`;
}

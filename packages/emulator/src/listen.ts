import { isLoopbackAddress } from '@c2c-kit/local-guard';

/**
 * The warning `c2c-emulator` and `c2c emulator` print when allowed to listen beyond loopback;
 * `undefined` for a loopback `host`.
 */
export function nonLoopbackWarning(host: string, verify: boolean): string | undefined {
  if (isLoopbackAddress(host)) return undefined;
  const all = verify ? '' : ', and with --no-verify every API';
  return `warning: listening on ${host}: anyone on your network can reach the unsigned local APIs (/_local, Function URLs${all})`;
}

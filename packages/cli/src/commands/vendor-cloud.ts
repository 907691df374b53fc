import {
  DEFAULT_USERS,
  listenHost,
  nonLoopbackWarning,
  startVendorCloud,
} from '@c2c-kit/vendor-cloud';
import { parseAllowedHostsFlag, parseCommandArgs, parsePort } from '../args.js';
import { StartRefusedError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';

export const VENDOR_CLOUD_HELP = `Usage: c2c vendor-cloud [options]

Runs the simulated Acme device cloud alone: OAuth 2.0 server with a login page, device REST API,
virtual devices and signed webhooks.

Options:
  --port <n>             port (default 4567; 0 = any free port)
  --host <addr>          interface (default 127.0.0.1; anything but loopback needs
                         --allow-non-loopback)
  --allow-non-loopback   allow a --host other machines can reach (prints a warning)
  --allowed-hosts <a,b>  other names requests may carry in Host (a container or LAN host
                         name, name:port); see docs/security.md
  --webhook-url <url>    connector Function URL receiving the signed webhooks
  --webhook-secret <s>   Standard Webhooks secret (whsec_…); generated when absent
  -h, --help             show this help`;

export async function runVendorCloud(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('vendor-cloud', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'allow-non-loopback': { type: 'boolean' },
    'allowed-hosts': { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
  });
  if (args.values.help === true) {
    writeLine(io.stdout, VENDOR_CLOUD_HELP);
    return 0;
  }
  const v = args.values;
  const listen = {
    host: typeof v.host === 'string' ? v.host : '127.0.0.1',
    allowNonLoopback: v['allow-non-loopback'] === true,
  };
  let host: string;
  try {
    host = listenHost(listen, 'add --allow-non-loopback');
  } catch (error) {
    throw new StartRefusedError((error as Error).message, { cause: error });
  }
  const cloud = await startVendorCloud({
    port: parsePort('vendor-cloud', 'port', v.port) ?? 4567,
    ...listen,
    allowedHosts: parseAllowedHostsFlag('vendor-cloud', v['allowed-hosts']),
    ...(typeof v['webhook-url'] === 'string' ? { webhookUrl: v['webhook-url'] } : {}),
    ...(typeof v['webhook-secret'] === 'string' ? { webhookSecret: v['webhook-secret'] } : {}),
  });
  const warning = nonLoopbackWarning(host);
  if (warning !== undefined) writeLine(io.stderr, `c2c vendor-cloud: ${warning}`);
  writeLine(io.stdout, `vendor cloud listening on ${cloud.url}`);
  writeLine(io.stdout, `  login page  ${cloud.url}/oauth/authorize`);
  writeLine(
    io.stdout,
    `  users       ${DEFAULT_USERS.map((u) => `${u.username} / ${u.password}`).join(', ')}`,
  );
  writeLine(io.stdout, `  webhooks    ${cloud.webhooks.targetUrl ?? '(no target; --webhook-url)'}`);
  const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
  writeLine(io.stdout, `${signal}: stopping…`);
  await cloud.close();
  return 0;
}

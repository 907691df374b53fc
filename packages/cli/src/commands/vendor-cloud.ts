import { DEFAULT_USERS, startVendorCloud } from '@c2c-kit/vendor-cloud';
import { parseCommandArgs, parsePort } from '../args.js';
import { type CliIo, writeLine } from '../io.js';

export const VENDOR_CLOUD_HELP = `Usage: c2c vendor-cloud [options]

Runs the simulated Acme device cloud alone: OAuth 2.0 server with a login page, device REST API,
virtual devices and signed webhooks.

Options:
  --port <n>             port (default 4567; 0 = any free port)
  --host <addr>          interface (default 127.0.0.1)
  --webhook-url <url>    connector Function URL receiving the signed webhooks
  --webhook-secret <s>   Standard Webhooks secret (whsec_…); generated when absent
  -h, --help             show this help`;

export async function runVendorCloud(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('vendor-cloud', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
  });
  if (args.values.help === true) {
    writeLine(io.stdout, VENDOR_CLOUD_HELP);
    return 0;
  }
  const v = args.values;
  const cloud = await startVendorCloud({
    port: parsePort('vendor-cloud', 'port', v.port) ?? 4567,
    ...(typeof v.host === 'string' ? { host: v.host } : {}),
    ...(typeof v['webhook-url'] === 'string' ? { webhookUrl: v['webhook-url'] } : {}),
    ...(typeof v['webhook-secret'] === 'string' ? { webhookSecret: v['webhook-secret'] } : {}),
  });
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

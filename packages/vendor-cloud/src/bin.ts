#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { parseAllowedHosts } from '@c2c-kit/local-guard';
import { startVendorCloud } from './app.js';
import { VendorCloudError } from './errors.js';
import { listenHost, nonLoopbackWarning } from './listen.js';

const HELP = `c2c-vendor-cloud — a simulated third-party device cloud (OAuth 2.0, device API, webhooks)

Usage: c2c-vendor-cloud [options]

Options:
  --port <n>              port (default 0 = any free port)
  --host <addr>           interface (default 127.0.0.1; anything but loopback needs
                          --allow-non-loopback)
  --allow-non-loopback    allow a --host other machines can reach (prints a warning)
  --allowed-hosts <a,b>   other names requests may carry in Host (a container or LAN host
                          name, name:port); see docs/security.md
  --webhook-url <url>     connector Function URL receiving signed device events
  --webhook-secret <s>    Standard Webhooks secret "whsec_<base64>" (default: generated, printed)
  --state-file <path>     keep users, devices, OAuth clients and tokens in this JSON file
                          across restarts
  --help                  show this help

Demo users: alice / alice-password, bob / bob-password, carol / carol-password
OAuth client: c2c-kit-connector / c2c-kit-connector-secret
`;

async function main(): Promise<number> {
  let values: {
    port?: string;
    host?: string;
    'allow-non-loopback'?: boolean;
    'allowed-hosts'?: string;
    'webhook-url'?: string;
    'webhook-secret'?: string;
    'state-file'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-non-loopback': { type: 'boolean' },
        'allowed-hosts': { type: 'string' },
        'webhook-url': { type: 'string' },
        'webhook-secret': { type: 'string' },
        'state-file': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(
      `--port: expected an integer from 0 to 65535, got ${JSON.stringify(values.port)}\n`,
    );
    return 2;
  }
  const listen = { host: values.host, allowNonLoopback: values['allow-non-loopback'] === true };
  let allowedHosts: string[];
  try {
    allowedHosts = parseAllowedHosts(values['allowed-hosts'] ?? '');
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const options: Parameters<typeof startVendorCloud>[0] = { port, ...listen, allowedHosts };
  if (values['webhook-url'] !== undefined) options.webhookUrl = values['webhook-url'];
  if (values['webhook-secret'] !== undefined) options.webhookSecret = values['webhook-secret'];
  if (values['state-file'] !== undefined) options.stateFile = values['state-file'];
  let cloud: Awaited<ReturnType<typeof startVendorCloud>>;
  try {
    listenHost(listen, 'add --allow-non-loopback');
    cloud = await startVendorCloud(options);
  } catch (err) {
    if (err instanceof VendorCloudError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const warning = nonLoopbackWarning(listenHost(listen));
  if (warning !== undefined) process.stderr.write(`c2c-vendor-cloud: ${warning}\n`);
  // The secret is printed only when we generated it: the operator needs it to configure the
  // connector, and a secret passed in on the command line is already known to them.
  const secretLine =
    values['webhook-secret'] === undefined
      ? `webhook secret: ${cloud.webhooks.secret}`
      : 'webhook secret: (as given)';
  process.stdout.write(
    [
      `Acme vendor cloud listening on ${cloud.url}`,
      `  authorize:  ${cloud.url}/oauth/authorize`,
      `  token:      ${cloud.url}/oauth/token`,
      `  devices:    ${cloud.url}/api/v1/devices`,
      `  simulation: ${cloud.url}/_sim/devices`,
      `  webhooks →  ${cloud.webhooks.targetUrl ?? '(none; PUT /_sim/webhooks/config)'}`,
      `  ${secretLine}`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await cloud.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`c2c-vendor-cloud: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);

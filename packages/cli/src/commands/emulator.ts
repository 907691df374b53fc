import { resolve } from 'node:path';
import { DEFAULT_CREDENTIALS, startEmulator } from '@c2c-kit/emulator';
import { parseCommandArgs, parsePort } from '../args.js';
import { UsageError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';

export const EMULATOR_HELP = `Usage: c2c emulator [options]

Runs the managed-integrations emulator alone (also serving the Lambda, SQS and Secrets Manager
subsets a connector uses). Point an SDK at it with AWS_ENDPOINT_URL.

Options:
  --port <n>             port (default 4566; 0 = any free port)
  --host <addr>          interface (default 127.0.0.1)
  --data-dir <dir>       state directory (default .c2c/emulator)
  --memory               keep state in memory only
  --access-key <id>      access key id to accept (default ${DEFAULT_CREDENTIALS.accessKeyId})
  --secret-key <key>     its secret access key
  --account-id <12 digits>  account of that key (default ${DEFAULT_CREDENTIALS.accountId})
  --region <region>      default region (default us-east-1)
  --no-verify            accept unsigned requests (SigV4 verification off)
  --faults <spec>        fault injection, e.g. throttle=0.2,error=0.05,latency=50ms
  --kinesis-endpoint <url>  Kinesis endpoint for notification deliveries
  --log-level <level>    fatal|error|warn|info|debug (default: no request log)
  -h, --help             show this help

The same flags as the emulator package's own c2c-emulator bin.`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug'];

/** Parses `throttle=0.2,error=0.05,latency=50ms`. */
export function parseFaults(spec: string): {
  throttle?: number;
  error?: number;
  latencyMs?: number;
} {
  const faults: { throttle?: number; error?: number; latencyMs?: number } = {};
  for (const part of spec.split(',').filter((p) => p !== '')) {
    const [key, raw = ''] = part.split('=');
    if (key === 'throttle' || key === 'error') {
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value) || value < 0 || value > 1) {
        throw new UsageError(
          'emulator',
          `--faults ${key}: expected a probability 0-1, got "${raw}"`,
        );
      }
      faults[key] = value;
    } else if (key === 'latency') {
      const match = /^(\d+)(ms)?$/.exec(raw);
      if (!match)
        throw new UsageError('emulator', `--faults latency: expected e.g. 50ms, got "${raw}"`);
      faults.latencyMs = Number(match[1]);
    } else {
      throw new UsageError(
        'emulator',
        `--faults: unknown fault "${key}" (expected throttle, error, latency)`,
      );
    }
  }
  return faults;
}

export async function runEmulator(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('emulator', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    memory: { type: 'boolean' },
    'access-key': { type: 'string' },
    'secret-key': { type: 'string' },
    'no-verify': { type: 'boolean' },
    faults: { type: 'string' },
    'account-id': { type: 'string' },
    region: { type: 'string' },
    'kinesis-endpoint': { type: 'string' },
    'log-level': { type: 'string' },
  });
  if (args.values.help === true) {
    writeLine(io.stdout, EMULATOR_HELP);
    return 0;
  }
  const v = args.values;
  if (v.memory === true && typeof v['data-dir'] === 'string') {
    throw new UsageError('emulator', 'give either --data-dir or --memory, not both');
  }
  if ((typeof v['access-key'] === 'string') !== (typeof v['secret-key'] === 'string')) {
    throw new UsageError('emulator', '--access-key and --secret-key go together');
  }
  const accountId =
    typeof v['account-id'] === 'string' ? v['account-id'] : DEFAULT_CREDENTIALS.accountId;
  if (!/^\d{12}$/.test(accountId)) {
    throw new UsageError('emulator', `--account-id: expected 12 digits, got "${accountId}"`);
  }
  const credentials =
    typeof v['access-key'] === 'string' && typeof v['secret-key'] === 'string'
      ? [{ accessKeyId: v['access-key'], secretAccessKey: v['secret-key'], accountId }]
      : [{ ...DEFAULT_CREDENTIALS, accountId }];
  const logLevel = v['log-level'];
  if (typeof logLevel === 'string' && !LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(
      'emulator',
      `--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    );
  }
  const emulator = await startEmulator({
    port: parsePort('emulator', 'port', v.port) ?? 4566,
    ...(typeof v.host === 'string' ? { host: v.host } : {}),
    ...(v.memory === true
      ? { memory: true }
      : {
          dataDir: resolve(
            io.cwd,
            typeof v['data-dir'] === 'string' ? v['data-dir'] : '.c2c/emulator',
          ),
        }),
    credentials,
    verify: v['no-verify'] !== true,
    ...(typeof v.faults === 'string' ? { faults: parseFaults(v.faults) } : {}),
    ...(typeof v.region === 'string' ? { region: v.region } : {}),
    ...(typeof v['kinesis-endpoint'] === 'string'
      ? { kinesisEndpoint: v['kinesis-endpoint'] }
      : {}),
    // Request logs (JSON lines on stdout) redact what could carry a secret.
    ...(typeof logLevel === 'string'
      ? {
          logger: {
            level: logLevel,
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers["x-amz-security-token"]',
                'req.headers.cookie',
              ],
              censor: '[REDACTED]',
            },
          },
        }
      : {}),
  });
  const key = credentials[0];
  writeLine(io.stdout, `emulator listening on ${emulator.url}`);
  writeLine(io.stdout, `  AWS_ENDPOINT_URL=${emulator.url}`);
  writeLine(io.stdout, `  AWS_ACCESS_KEY_ID=${key?.accessKeyId} (account ${key?.accountId})`);
  writeLine(io.stdout, `  SigV4 verification ${v['no-verify'] === true ? 'OFF' : 'on'}`);
  const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
  writeLine(io.stdout, `${signal}: stopping…`);
  await emulator.close();
  return 0;
}

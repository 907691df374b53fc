import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isLoopbackAddress, parseAllowedHosts } from '@c2c-kit/local-guard';
import type { EmulatorOptions } from './app.js';
import {
  DEFAULT_ACCOUNT_ID,
  type EmulatorCredential,
  type FaultConfig,
  parseFaults,
} from './config.js';
import { readCredentialsFile } from './credentials.js';
import { EmulatorConfigError, NonLoopbackHostError } from './errors.js';
import { DEFAULT_EVENT_RETENTION, type EventRetention, parseRetention } from './store/retention.js';

/** The emulator's flags, as both `c2c-emulator --help` and `c2c emulator --help` list them. */
export const FLAGS_HELP = `  --port <n>             port to listen on (default 4566; 0 = any free port)
  --host <addr>          interface (default 127.0.0.1; anything but loopback needs
                         --allow-non-loopback)
  --allow-non-loopback   allow a --host other machines can reach (prints a warning)
  --allowed-hosts <a,b>  other names requests may carry in Host (a container or LAN host
                         name, name:port); see docs/security.md
  --data-dir <dir>       state directory (0700): SQLite, credentials.json (survives restarts;
                         one emulator per directory)
  --memory               keep state in memory only
  --access-key <id>      access key id accepted by SigV4 (with --secret-key); default: a key
                         pair generated once per data dir (<data-dir>/credentials.json) or per
                         start with --memory, printed at start
  --secret-key <secret>  its secret access key
  --credentials-file <f> read the key pair from a JSON file {"accessKeyId","secretAccessKey"}
  --account-id <12 digits> account of that key (default ${DEFAULT_ACCOUNT_ID})
  --region <region>      default region (default us-east-1)
  --no-verify            accept unsigned / wrongly signed requests (SigV4 off)
  --faults <spec>        fault injection for SendConnectorEvent and connector invokes,
                         e.g. throttle=0.2,error=0.05,latency=50ms; hang=<p> holds that
                         share of SendConnectorEvent requests unanswered until the client
                         gives up (at most 60 s, then 503)
  --retain-events <n|age|off> stored connector events to keep: the newest n (default
                         100000), those younger than an age (90s, 30m, 12h, 7d), or off
                         (all); older ones are deleted in small steps while running
  --kinesis-endpoint <url> Kinesis endpoint for notification deliveries (unset: deliveries are
                           skipped with a warning; real AWS is never called)
  --log-level <level>    request log: fatal|error|warn|info|debug
  -h, --help             show this help`;

/** `c2c-emulator --help` text. */
export const HELP = `c2c-emulator — local managed integrations + Lambda/SQS/Secrets Manager on one endpoint

Usage: c2c-emulator [options]

${FLAGS_HELP}

Defaults of this bin: --data-dir ./.c2c-emulator, --log-level info.
Point SDKs at it with AWS_ENDPOINT_URL=http://127.0.0.1:<port>.
`;

/** What a command running the emulator chooses itself: where state goes, whether to log. */
export interface CliDefaults {
  /** State directory when neither --data-dir nor --memory is given. */
  readonly dataDir: string;
  /** Request log level when --log-level is not given; `undefined` = no request log. */
  readonly logLevel: string | undefined;
}

export interface CliOptions {
  port: number;
  host: string;
  dataDir?: string;
  memory: boolean;
  /** Key pairs from the flags; `undefined`: the emulator generates or loads its own. */
  credentials: EmulatorCredential[] | undefined;
  accountId: string;
  allowNonLoopback: boolean;
  /** Extra names the emulator answers to (`--allowed-hosts`). */
  allowedHosts: string[];
  region: string;
  verify: boolean;
  faults: FaultConfig;
  /** `--retain-events`: which stored connector events to keep. */
  retainEvents: EventRetention;
  kinesisEndpoint?: string;
  /** Request log level; undefined = no request log. */
  logLevel: string | undefined;
}

/**
 * Parses the emulator's flags (the `c2c-emulator` bin and `c2c emulator` share them); throws
 * EmulatorConfigError naming the flag, expected vs got.
 */
export function parseCli(
  argv: readonly string[],
  defaults: CliDefaults = {
    dataDir: join(process.cwd(), '.c2c-emulator'),
    logLevel: 'info',
  },
): CliOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        memory: { type: 'boolean' },
        'access-key': { type: 'string' },
        'secret-key': { type: 'string' },
        'credentials-file': { type: 'string' },
        'allow-non-loopback': { type: 'boolean' },
        'allowed-hosts': { type: 'string' },
        'account-id': { type: 'string' },
        region: { type: 'string' },
        'no-verify': { type: 'boolean' },
        faults: { type: 'string' },
        'retain-events': { type: 'string' },
        'kinesis-endpoint': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new EmulatorConfigError((error as Error).message);
  }
  if (values.help === true) return 'help';
  const portText = (values.port as string | undefined) ?? '4566';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new EmulatorConfigError(`--port: expected 0-65535, got "${portText}"`);
  }
  const accessKey = values['access-key'] as string | undefined;
  const secretKey = values['secret-key'] as string | undefined;
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new EmulatorConfigError('--access-key and --secret-key must be given together');
  }
  const credentialsFile = values['credentials-file'] as string | undefined;
  if (credentialsFile !== undefined && accessKey !== undefined) {
    throw new EmulatorConfigError('--credentials-file and --access-key cannot be combined');
  }
  const accountId = (values['account-id'] as string | undefined) ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId)) {
    throw new EmulatorConfigError(`--account-id: expected 12 digits, got "${accountId}"`);
  }
  if (values.memory === true && values['data-dir'] !== undefined) {
    throw new EmulatorConfigError('--memory and --data-dir cannot be combined');
  }
  const logLevel = (values['log-level'] as string | undefined) ?? defaults.logLevel;
  if (
    logLevel !== undefined &&
    !['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)
  ) {
    throw new EmulatorConfigError(
      `--log-level: expected fatal|error|warn|info|debug, got "${logLevel}"`,
    );
  }
  const kinesis = values['kinesis-endpoint'] as string | undefined;
  if (kinesis !== undefined && !/^https?:\/\/\S+$/.test(kinesis)) {
    throw new EmulatorConfigError(`--kinesis-endpoint: expected an http(s) URL, got "${kinesis}"`);
  }
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const allowNonLoopback = values['allow-non-loopback'] === true;
  if (!isLoopbackAddress(host) && !allowNonLoopback) {
    throw new NonLoopbackHostError(host, 'add --allow-non-loopback');
  }
  let allowedHosts: string[];
  try {
    allowedHosts = parseAllowedHosts((values['allowed-hosts'] as string | undefined) ?? '');
  } catch (error) {
    throw new EmulatorConfigError((error as Error).message);
  }
  const pair =
    credentialsFile !== undefined
      ? readCredentialsFile(credentialsFile)
      : accessKey !== undefined && secretKey !== undefined
        ? { accessKeyId: accessKey, secretAccessKey: secretKey }
        : undefined;
  return {
    port,
    host,
    allowNonLoopback,
    allowedHosts,
    memory: values.memory === true,
    dataDir:
      values.memory === true
        ? undefined
        : ((values['data-dir'] as string | undefined) ?? defaults.dataDir),
    credentials: pair === undefined ? undefined : [{ ...pair, accountId }],
    accountId,
    region: (values.region as string | undefined) ?? 'us-east-1',
    verify: values['no-verify'] !== true,
    faults: parseFaults((values.faults as string | undefined) ?? ''),
    retainEvents:
      values['retain-events'] === undefined
        ? DEFAULT_EVENT_RETENTION
        : parseRetention(values['retain-events'] as string),
    kinesisEndpoint: kinesis,
    logLevel,
  };
}

/** `startEmulator` options for parsed flags, with a request log that redacts secrets. */
export function emulatorOptionsFromCli(options: CliOptions): EmulatorOptions {
  return {
    port: options.port,
    host: options.host,
    allowNonLoopback: options.allowNonLoopback,
    allowedHosts: options.allowedHosts,
    ...(options.memory ? { memory: true } : { dataDir: options.dataDir }),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    accountId: options.accountId,
    region: options.region,
    verify: options.verify,
    faults: options.faults,
    retainEvents: options.retainEvents,
    ...(options.kinesisEndpoint !== undefined ? { kinesisEndpoint: options.kinesisEndpoint } : {}),
    ...(options.logLevel !== undefined
      ? {
          logger: {
            level: options.logLevel,
            // Signatures, tokens and keys never reach the log.
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers["x-amz-security-token"]',
                'req.headers.cookie',
                'headers.authorization',
              ],
              censor: '[REDACTED]',
            },
            serializers: {
              req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({
                method: req.method,
                url: redactUrl(req.url),
                hostname: req.hostname,
                remoteAddress: req.ip,
              }),
            },
          },
        }
      : {}),
  };
}

/** OAuth codes/state and presigned-URL signatures and tokens never reach the log. */
export function redactUrl(url: string): string {
  return url.replace(
    /([?&](?:code|state|access_token|refresh_token|X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential)=)[^&]*/gi,
    '$1[REDACTED]',
  );
}

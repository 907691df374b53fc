import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@c2c-kit/testing/processes';

const DRIVER = fileURLToPath(new URL('./driver.py', import.meta.url));

export interface Boto3Target {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

export interface Boto3Call {
  readonly operation: string;
  readonly input?: Record<string, unknown>;
}

export type Boto3Result =
  | { ok: true; status: number; output: Record<string, unknown> }
  | { ok: false; status?: number; code?: string; message?: string; clientError?: string };

/**
 * Why boto3 cannot run here, or undefined when it can. The fix is in the message: a missing
 * independent client is a failed test, never a skip.
 */
export function boto3Missing(): string | undefined {
  const probe = spawnSync(
    'python3',
    ['-c', 'import boto3; boto3.client("iot-managed-integrations", region_name="us-east-1")'],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status === 0) return undefined;
  return `python3 with boto3 (which knows iot-managed-integrations) is needed for these tests: pip install 'boto3>=1.38' (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
}

/**
 * Sends `calls` in order through boto3 in one python3 process and returns boto3's view of each
 * answer. No shared AWS configuration leaks in: profiles, config files and instance metadata are
 * off, so only the given endpoint and credentials are used.
 */
export async function boto3(
  target: Boto3Target,
  calls: readonly Boto3Call[],
  options: { validate?: boolean } = {},
): Promise<Boto3Result[]> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  Object.assign(env, {
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    PYTHONDONTWRITEBYTECODE: '1',
  });
  const result = await runProcess('python3', [DRIVER], {
    env,
    timeoutMs: 60_000,
    input: JSON.stringify({
      endpoint: target.endpoint,
      region: target.region,
      credentials: target.credentials,
      validate: options.validate ?? true,
      calls,
    }),
  });
  if (result.code !== 0) {
    throw new Error(`boto3 driver exited ${result.code}: ${result.stderr.trim().slice(-2000)}`);
  }
  return JSON.parse(result.stdout) as Boto3Result[];
}

/** One call; throws with boto3's view of the error unless it succeeded. */
export async function boto3Ok(
  target: Boto3Target,
  operation: string,
  input: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const [result] = await boto3(target, [{ operation, input }]);
  if (result === undefined || !result.ok) {
    throw new Error(`boto3 ${operation} failed: ${JSON.stringify(result)}`);
  }
  return result.output;
}

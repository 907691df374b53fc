import { ConnectorConfigError } from '../errors.js';

/**
 * The service-specific endpoint variables, first wins: the AWS SDKs' name (serviceId "IoT Managed
 * Integrations", spaces to underscores), then the name c2c-kit's runtime read before it, kept so
 * existing deployments still point where they did.
 */
export const SERVICE_ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_IOT_MANAGED_INTEGRATIONS',
  'AWS_ENDPOINT_URL_IOTMANAGEDINTEGRATIONS',
] as const;

/** Where SendConnectorEvent & co. go, in the precedence order the AWS SDKs use. */
export function resolveEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const configured =
    SERVICE_ENDPOINT_VARIABLES.map((name) => env[name]).find((v) => v !== undefined && v !== '') ||
    env.AWS_ENDPOINT_URL;
  const text = configured ?? `https://api.iotmanagedintegrations.${region}.api.aws`;
  try {
    return new URL(text);
  } catch (cause) {
    throw new ConnectorConfigError(
      `endpoint: expected an absolute URL (${[...SERVICE_ENDPOINT_VARIABLES, 'AWS_ENDPOINT_URL'].join(' / ')}), got ${JSON.stringify(text)}`,
      { cause },
    );
  }
}

/** Region from the Lambda environment, or a clear error. */
export function resolveRegion(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env) {
  const region = explicit ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ConnectorConfigError(
      'region: expected the `region` option or AWS_REGION / AWS_DEFAULT_REGION, got nothing',
    );
  }
  return region;
}

/** Per-attempt timeout in ms: the option, else `C2C_ATTEMPT_TIMEOUT_MS`, else 5000. */
export function resolveAttemptTimeoutMs(
  explicit: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (explicit !== undefined) return explicit;
  const raw = env.C2C_ATTEMPT_TIMEOUT_MS;
  if (raw === undefined || raw === '') return 5000;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new ConnectorConfigError(
      `attemptTimeoutMs: expected C2C_ATTEMPT_TIMEOUT_MS to be a whole number of ms of at least 1, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

/** Attempts per call (the first included): the option, else AWS_MAX_ATTEMPTS as the AWS SDKs read it. */
export function resolveMaxAttempts(
  explicit: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number | undefined {
  if (explicit !== undefined) return explicit;
  const raw = env.AWS_MAX_ATTEMPTS;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new ConnectorConfigError(
      `maxAttempts: expected AWS_MAX_ATTEMPTS to be a whole number of at least 1, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

/** The connector's configuration, read from the Lambda function's environment. */
export interface ConnectorConfig {
  /** Your cloud's API base URL (`VENDOR_API_URL`). */
  readonly apiUrl: string;
  /** Standard Webhooks secrets `whsec_…` (`VENDOR_WEBHOOK_SECRET`; comma-separated while rotating). */
  readonly webhookSecrets: readonly string[];
}

/** A missing or invalid variable, named in the message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
  }
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  const apiUrl = env.VENDOR_API_URL ?? '';
  if (apiUrl === '') throw new ConfigError('VENDOR_API_URL', 'required (your cloud API base URL)');
  if (!URL.canParse(apiUrl) || !/^https?:$/.test(new URL(apiUrl).protocol)) {
    throw new ConfigError('VENDOR_API_URL', `expected an http(s) URL, got "${apiUrl}"`);
  }
  const webhookSecrets = (env.VENDOR_WEBHOOK_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (webhookSecrets.length === 0) {
    throw new ConfigError(
      'VENDOR_WEBHOOK_SECRET',
      'required and not empty (the whsec_… secret your cloud signs webhooks with)',
    );
  }
  return { apiUrl, webhookSecrets };
}

/** AWS credentials as the SDKs and smithy's signer take them. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
export type CredentialsProvider = () => Promise<Credentials>;

/**
 * Lambda always injects the execution role's credentials as environment variables, so the
 * fast path reads them directly; the full provider chain (large, slow to import) is loaded
 * lazily only when they are absent (local development, CLI).
 */
export function defaultCredentialsProvider(
  env: NodeJS.ProcessEnv = process.env,
): CredentialsProvider {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    const fixed: Credentials = {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    return () => Promise.resolve(fixed);
  }
  let chain: CredentialsProvider | undefined;
  return async () => {
    if (!chain) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      chain = fromNodeProviderChain();
    }
    return chain();
  };
}

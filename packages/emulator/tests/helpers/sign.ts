import { NodeSha256 } from '@c2c-kit/connector/client';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { EmulatorCredential } from '../../src/index.js';

export interface SignInput {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  service?: string;
  region?: string;
  credentials?: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey'>;
  signingDate?: Date;
  host?: string;
}

/**
 * Signs a request exactly as the AWS SDK v3 would (smithy signer); returns headers + url. Raw on
 * purpose: the verifier's tests need requests no client would build (odd paths, skewed dates).
 */
export async function signRequest(input: SignInput): Promise<{
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}> {
  const credentials = input.credentials ?? TEST_CREDENTIALS;
  const signer = new SignatureV4({
    service: input.service ?? 'iotmanagedintegrations',
    region: input.region ?? 'us-east-1',
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    },
    sha256: NodeSha256,
  });
  const host = input.host ?? 'localhost:80';
  const headers: Record<string, string> = { host, ...input.headers };
  if (input.body !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = 'application/json';
  }
  const request = {
    method: input.method,
    protocol: 'http:',
    hostname: host.split(':')[0] as string,
    path: input.path,
    query: input.query ?? {},
    headers,
    body: input.body,
  };
  const signed = await signer.sign(request, { signingDate: input.signingDate ?? new Date() });
  const qs = Object.entries(input.query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`),
    )
    .join('&');
  return {
    method: input.method,
    url: qs === '' ? input.path : `${input.path}?${qs}`,
    headers: signed.headers as Record<string, string>,
    body: input.body,
  };
}

/** Signs then injects into a built (not listening) emulator. */
export async function signedInject(
  app: FastifyInstance,
  input: SignInput,
): Promise<LightMyRequestResponse> {
  const signed = await signRequest({ ...input, host: input.host ?? 'localhost:80' });
  return app.inject({
    method: signed.method as 'GET',
    url: signed.url,
    headers: signed.headers,
    payload: signed.body,
  });
}

/**
 * POSTs an awsJson request (the protocol of SQS and Secrets Manager) with no signature at all, for
 * an emulator started with `verify: false`, so a test can send bodies no SDK would. `target` is
 * the `X-Amz-Target` header, `<service prefix>.<operation>`.
 */
export function postUnsignedAwsJson(
  emulatorUrl: string,
  jsonVersion: '1.0' | '1.1',
  target: string,
  body: string,
): Promise<Response> {
  return fetch(`${emulatorUrl}/`, {
    method: 'POST',
    headers: { 'content-type': `application/x-amz-json-${jsonVersion}`, 'x-amz-target': target },
    body,
  });
}

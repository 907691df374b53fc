import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CustomResourceResponse } from './types.js';

/**
 * PUTs the custom resource's outcome to CloudFormation's pre-signed response URL, as
 * `cfn-response` does: an empty content type (the URL's signature covers no content type) and an
 * explicit length. A network failure is retried twice; an answer other than 2xx is an error, since
 * the stack would otherwise wait an hour for a response that never arrived.
 */
export async function sendResponse(url: string, response: CustomResourceResponse): Promise<void> {
  const body = JSON.stringify(response);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    try {
      await put(url, body);
      return;
    } catch (error) {
      lastError = error;
      if ((error as { retryable?: boolean }).retryable === false) break;
    }
  }
  throw lastError;
}

function put(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else
            reject(
              Object.assign(new Error(`response URL answered HTTP ${status}`), {
                retryable: status >= 500,
              }),
            );
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('response URL timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

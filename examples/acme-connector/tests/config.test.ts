import { describe, expect, it } from 'vitest';
import { AcmeConfigError, configFromEnv } from '../src/index.js';

const base = {
  ACME_API_URL: 'http://127.0.0.1:4000',
  ACME_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

describe('configFromEnv: C2C_OUTBOX_QUEUE_URL', () => {
  it('is optional: without it there is no outbox (a failing webhook event is answered 503)', () => {
    expect(configFromEnv(base).outboxQueueUrl).toBeUndefined();
    expect(configFromEnv({ ...base, C2C_OUTBOX_QUEUE_URL: '' }).outboxQueueUrl).toBeUndefined();
  });

  it('takes an http(s) SQS queue URL', () => {
    const url = 'http://127.0.0.1:4566/111122223333/acme-connector-outbox.fifo';
    expect(configFromEnv({ ...base, C2C_OUTBOX_QUEUE_URL: url }).outboxQueueUrl).toBe(url);
  });

  it('names the variable when the value is not a URL', () => {
    for (const bad of ['acme-connector-outbox.fifo', 'ftp://host/queue']) {
      const run = () => configFromEnv({ ...base, C2C_OUTBOX_QUEUE_URL: bad });
      expect(run).toThrow(AcmeConfigError);
      expect(run).toThrow(/^C2C_OUTBOX_QUEUE_URL: expected an http\(s\) SQS queue URL$/);
    }
  });
});

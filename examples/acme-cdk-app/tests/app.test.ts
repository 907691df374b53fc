// The example app synthesized for real (cloud assembly on disk, esbuild bundles as assets), then
// checked the way a reviewer or CI would: cfn-lint on the template, and the bundle run on this
// machine's Node (Lambda runs it on nodejs22.x, arm64).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cfnLint } from '@c2c-kit/testing';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { AcmeConnectorStack } from '../src/stack.js';

const CLIENT_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/oauth-client-AbCdEf';
let outdir: string;
interface Resource {
  Type: string;
  Properties: {
    Environment?: { Variables?: Record<string, unknown> };
    Code?: { S3Key?: string };
    OAuth?: unknown;
  };
}
let template: { Resources: Record<string, Resource> };
let connectorAsset: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'acme-cdk-app-'));
  const app = new App({ outdir });
  new AcmeConnectorStack(app, 'AcmeConnector', {
    apiUrl: 'https://api.acme.example',
    webhookSecretName: 'acme/webhook-secret',
    oauthClientSecretArn: CLIENT_SECRET_ARN,
  });
  const assembly = app.synth();
  const stack = assembly.getStackByName('AcmeConnector');
  template = stack.template;
  const fn = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.ACME_API_URL,
  );
  const key = String(fn?.Properties.Code?.S3Key).replace(/\.zip$/, '');
  connectorAsset = join(outdir, `asset.${key}`);
});

describe('the example app, synthesized', () => {
  it('writes the template and both bundles to the cloud assembly', () => {
    expect(existsSync(join(outdir, 'AcmeConnector.template.json'))).toBe(true);
    expect(existsSync(join(outdir, 'AcmeConnector.assets.json'))).toBe(true);
    const assets = JSON.parse(readFileSync(join(outdir, 'AcmeConnector.assets.json'), 'utf8'));
    const files = Object.values(assets.files as Record<string, { source: { path: string } }>);
    const bundles = files.filter((f) => f.source.path.startsWith('asset.'));
    expect(bundles).toHaveLength(2);
    for (const b of bundles) {
      expect(existsSync(join(outdir, b.source.path, 'index.mjs'))).toBe(true);
      expect(existsSync(join(outdir, b.source.path, 'index.mjs.map'))).toBe(true);
    }
  });

  it('keeps the webhook secret out of the template (a dynamic reference)', () => {
    const text = JSON.stringify(template);
    expect(text).toContain('{{resolve:secretsmanager:acme/webhook-secret:SecretString:::}}');
    expect(text).not.toContain('whsec_');
  });

  it('registers the connector with an OAuth destination on the client secret ARN', () => {
    const dest = Object.values(template.Resources).find(
      (r) => r.Type === 'Custom::C2cConnectorDestination',
    );
    expect(dest?.Properties.OAuth).toMatchObject({
      authUrl: 'https://api.acme.example/oauth/authorize',
      tokenUrl: 'https://api.acme.example/oauth/token',
      clientSecretArn: CLIENT_SECRET_ARN,
    });
  });

  it('passes cfn-lint', () => {
    const { status, output } = cfnLint({ AcmeConnector: template });
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('bundles an ESM handler that turns source maps on itself and leaves @aws-sdk/* external', () => {
    const code = readFileSync(join(connectorAsset, 'index.mjs'), 'utf8');
    expect(
      code.startsWith("import { createRequire as __c2cCreateRequire } from 'node:module';"),
    ).toBe(true);
    expect(code).toContain('process.setSourceMapsEnabled(true);');
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(code).toMatch(/import\("@aws-sdk\/client-sqs"\)/);
    expect(code).not.toContain('SQSServiceException');
    const map = JSON.parse(readFileSync(join(connectorAsset, 'index.mjs.map'), 'utf8'));
    expect(map.sources.some((s: string) => s.endsWith('acme-connector/src/connector.ts'))).toBe(
      true,
    );
  });

  it('the bundle loads and answers on this machine (the missing configuration named)', async () => {
    const mod = (await import(pathToFileURL(join(connectorAsset, 'index.mjs')).href)) as {
      handler: (
        event: unknown,
      ) => Promise<{ header: { responseCode: number }; payload: { responseMessage: string } }>;
    };
    const saved = process.env.ACME_API_URL;
    delete process.env.ACME_API_URL;
    try {
      const reply = await mod.handler({ header: {}, payload: {} });
      expect(reply.header.responseCode).toBe(500);
      expect(reply.payload.responseMessage).toMatch(/ACME_API_URL: required/);
    } finally {
      if (saved !== undefined) process.env.ACME_API_URL = saved;
    }
  });
});

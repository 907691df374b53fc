import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkResourceTypes } from '../src/deploy/apply.js';
import type { Template } from '../src/deploy/assembly.js';
import { parseSecretReference, resolveDynamicReferences } from '../src/deploy/dynamicReferences.js';
import { stringifyScalars } from '../src/deploy/handlers/custom.js';
import { RECORDED_HANDLER_TYPES } from '../src/deploy/handlers/recorded.js';
import { generateSecretString } from '../src/deploy/handlers/storage.js';
import { evaluateCondition, type ResolveContext, resolveValue } from '../src/deploy/intrinsics.js';
import { creationOrder } from '../src/deploy/order.js';
import { APPLIED_TYPES, dispositionOf, RECORDED_TYPES } from '../src/deploy/resourceTypes.js';
import { startResponseServer } from '../src/deploy/responseServer.js';

// The local template applier's parts on their own: intrinsic functions, dynamic references,
// ordering, the three lists of resource types (and docs/deploy.md agreeing with them), the
// response URL server. The whole applier runs against an emulator in examples/acme-cdk-app.

const ctx = (over: Partial<ResolveContext> = {}): ResolveContext => ({
  pseudo: {
    'AWS::AccountId': '111122223333',
    'AWS::Region': 'eu-west-1',
    'AWS::Partition': 'aws',
    'AWS::StackName': 'S',
  },
  parameters: { Env: 'prod', List: 'a,b,c' },
  mappings: { M: { prod: { size: 3 } } },
  condition: (name) => name === 'IsProd',
  ref: (id) => `phys-${id}`,
  getAtt: (id, attr) => `${id}.${attr}`,
  ...over,
});
const r = (v: unknown, c = ctx()) => resolveValue(v, c, 'R.Properties');

describe('intrinsic functions', () => {
  it('Ref of pseudo parameters, parameters and resources; AWS::NoValue removes the key', () => {
    expect(
      r({
        a: { Ref: 'AWS::Region' },
        b: { Ref: 'Env' },
        c: { Ref: 'Queue' },
        d: { Ref: 'AWS::NoValue' },
        e: [1, { Ref: 'AWS::NoValue' }, 2],
      }),
    ).toEqual({ a: 'eu-west-1', b: 'prod', c: 'phys-Queue', e: [1, 2] });
  });

  it('Fn::GetAtt in both forms, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::Base64', () => {
    expect(r({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe('Fn.Arn');
    expect(r({ 'Fn::GetAtt': 'Fn.Arn' })).toBe('Fn.Arn');
    expect(r({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs']] })).toBe(
      'arn:aws:sqs',
    );
    expect(r({ 'Fn::Select': [1, { 'Fn::Split': [',', { Ref: 'List' }] }] })).toBe('b');
    expect(r({ 'Fn::FindInMap': ['M', { Ref: 'Env' }, 'size'] })).toBe(3);
    expect(r({ 'Fn::Base64': 'hi' })).toBe('aGk=');
  });

  it('Fn::Sub with pseudo parameters, resources, attributes, its own variables and ${!Literal}', () => {
    expect(
      r({
        'Fn::Sub': [
          'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Q}/${Fn.Arn}/${v}/${!Keep}',
          { v: { Ref: 'Env' } },
        ],
      }),
    ).toBe('arn:aws:x:eu-west-1:111122223333:phys-Q/Fn.Arn/prod/${Keep}');
  });

  it('Fn::If with Conditions; Fn::Equals, Fn::Not, Fn::And, Fn::Or', () => {
    expect(r({ 'Fn::If': ['IsProd', 'big', 'small'] })).toBe('big');
    expect(r({ 'Fn::If': ['IsDev', 'big', { Ref: 'AWS::NoValue' }] })).toBe(
      r({ Ref: 'AWS::NoValue' }),
    );
    const c = ctx();
    expect(evaluateCondition({ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, c, 'C')).toBe(true);
    expect(
      evaluateCondition(
        {
          'Fn::And': [
            { 'Fn::Not': [{ Condition: 'IsDev' }] },
            { 'Fn::Or': [{ Condition: 'IsProd' }, false] },
          ],
        },
        c,
        'C',
      ),
    ).toBe(true);
  });

  it('refuses what it does not evaluate, by name and place', () => {
    expect(() => r({ 'Fn::ImportValue': 'x' })).toThrow(
      /^R\.Properties: Fn::ImportValue: the emulator keeps no stack exports/,
    );
    expect(() => r({ x: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] } })).toThrow(
      /^R\.Properties\.x: Fn::Cidr is not supported by the local deploy$/,
    );
    expect(() => r({ 'Fn::Select': [5, ['a']] })).toThrow(/index 5 is outside a list of 1/);
    expect(() => r({ Ref: 'AWS::NotAThing' })).toThrow(/AWS::NotAThing is no pseudo parameter/);
  });

  it('leaves plain values as they are (property over JSON without intrinsics)', () => {
    const plain = fc
      .jsonValue()
      .filter((v) => !JSON.stringify(v).match(/"(Ref|Condition|Fn::[A-Za-z]+)"/));
    fc.assert(
      fc.property(plain, (v) => {
        expect(r(v)).toStrictEqual(v);
      }),
      { numRuns: 200 },
    );
  });
});

describe('dynamic references', () => {
  it('resolves {{resolve:secretsmanager:…}} by name or ARN, with a JSON key', async () => {
    const read = async (ref: { secretId: string }) =>
      ref.secretId.startsWith('arn:') ? '{"clientId":"c1"}' : 'whsec_abc';
    expect(
      await resolveDynamicReferences(
        {
          A: 'x{{resolve:secretsmanager:acme/webhook:SecretString:::}}y',
          B: '{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:111122223333:secret:c-AbC:SecretString:clientId::}}',
        },
        read,
        'F',
      ),
    ).toEqual({ A: 'xwhsec_abcy', B: 'c1' });
    expect(parseSecretReference('name:SecretString:k:AWSPREVIOUS', 'F')).toEqual({
      secretId: 'name',
      jsonKey: 'k',
      versionStage: 'AWSPREVIOUS',
    });
  });

  it('refuses SSM references: the emulator has no Parameter Store', async () => {
    await expect(
      resolveDynamicReferences('{{resolve:ssm:/my/param}}', async () => '', 'F.Env'),
    ).rejects.toThrow(/^F\.Env: \{\{resolve:ssm:…\}\}: the emulator has no SSM Parameter Store/);
  });
});

describe('creation order', () => {
  it('puts every resource after what it references or depends on, else template order', () => {
    const template: Template = {
      Resources: {
        Alias: { Type: 'AWS::KMS::Alias', Properties: { TargetKeyId: { Ref: 'Key' } } },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } },
          DependsOn: ['Policy'],
        },
        Policy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }] } },
        Role: { Type: 'AWS::IAM::Role' },
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: { D: { 'Fn::Sub': '${Role.Arn}-${AWS::Region}' } },
        },
      },
    };
    expect(creationOrder(template)).toEqual(['Role', 'Key', 'Alias', 'Policy', 'Fn']);
  });

  it('names a cycle and a reference to nothing', () => {
    expect(() =>
      creationOrder({
        Resources: {
          A: { Type: 'AWS::IAM::Role', Properties: { x: { Ref: 'B' } } },
          B: { Type: 'AWS::IAM::Role', DependsOn: 'A' },
        },
      }),
    ).toThrow('circular dependency between resources: A → B → A');
    expect(() =>
      creationOrder({
        Resources: { A: { Type: 'AWS::IAM::Role', Properties: { x: { Ref: 'Nope' } } } },
      }),
    ).toThrow(/resource A refers to Nope, which is no resource, parameter or pseudo parameter/);
  });
});

describe('the three lists of resource types', () => {
  it('applied, recorded, and every other type refused by name before anything is applied', () => {
    expect(dispositionOf('AWS::Lambda::Function')).toBe('applied');
    expect(dispositionOf('Custom::C2cCloudConnector')).toBe('applied');
    expect(dispositionOf('AWS::IAM::Role')).toBe('recorded');
    expect(dispositionOf('AWS::SNS::Topic')).toBe('refused');
    expect(() =>
      checkResourceTypes({
        Resources: {
          T: { Type: 'AWS::SNS::Topic' },
          Q: { Type: 'AWS::SQS::Queue' },
          B: { Type: 'AWS::S3::Bucket' },
        },
      }),
    ).toThrow(/^the local deploy does not apply AWS::SNS::Topic \(T\), AWS::S3::Bucket \(B\):/);
  });

  it('every recorded type has a recorder', () => {
    expect([...RECORDED_HANDLER_TYPES].sort()).toEqual([...RECORDED_TYPES].sort());
  });

  it('docs/deploy.md lists exactly the types the code applies and records', () => {
    const doc = readFileSync(
      fileURLToPath(new URL('../../../docs/deploy.md', import.meta.url)),
      'utf8',
    );
    const listAfter = (heading: string) => {
      const start = doc.indexOf(heading);
      expect(start, heading).toBeGreaterThan(-1);
      // The first list after the heading's paragraph.
      const section = /\n\n((?:- .*\n)+)/.exec(doc.slice(start + heading.length))?.[1] ?? '';
      return [...section.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]);
    };
    expect(listAfter('**Applied**')).toEqual([...APPLIED_TYPES]);
    expect(listAfter('**Recorded, not enforced**')).toEqual([...RECORDED_TYPES]);
  });
});

describe('custom resources and generated secrets', () => {
  it('hands every scalar over as a string, as CloudFormation does', () => {
    expect(stringifyScalars({ a: 1, b: true, c: ['x', 2, { d: false }], e: null })).toEqual({
      a: '1',
      b: 'true',
      c: ['x', '2', { d: 'false' }],
      e: null,
    });
  });

  it('GenerateSecretString honours length, exclusions, a template and one of each type', () => {
    const json = JSON.parse(
      generateSecretString(
        {
          PasswordLength: 24,
          ExcludePunctuation: true,
          ExcludeCharacters: 'abc',
          SecretStringTemplate: '{"user":"u"}',
          GenerateStringKey: 'password',
        },
        'S',
      ),
    );
    expect(json.user).toBe('u');
    expect(json.password).toMatch(/^[d-zA-Z0-9]{24}$/);
    expect(json.password).toMatch(/[A-Z]/);
    expect(json.password).toMatch(/[0-9]/);
    expect(json.password).toMatch(/[d-z]/);
  });
});

describe('the response URL server', () => {
  it('takes one PUT per request URL; refuses other methods, unknown URLs and bad bodies', async () => {
    const server = await startResponseServer();
    try {
      const { url, response } = server.expect('R Create', 5000);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cfn-response\/[A-Za-z0-9_-]{32}$/);
      expect((await fetch(url)).status).toBe(405);
      expect((await fetch(`${url.slice(0, -1)}x`, { method: 'PUT', body: '{}' })).status).toBe(404);
      const put = await fetch(url, {
        method: 'PUT',
        body: JSON.stringify({
          Status: 'SUCCESS',
          PhysicalResourceId: 'p1',
          StackId: 's',
          RequestId: 'r',
          LogicalResourceId: 'R',
          Data: { Id: 'x' },
        }),
      });
      expect(put.status).toBe(200);
      await expect(response).resolves.toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: 'p1',
      });
      const bad = server.expect('R Update', 5000);
      await fetch(bad.url, { method: 'PUT', body: 'x'.repeat(5000) });
      await expect(bad.response).rejects.toThrow(/over 4096 bytes/);
      const late = server.expect('R Delete', 50);
      await expect(late.response).rejects.toThrow('R Delete: no response within 0 s');
    } finally {
      await server.close();
    }
  });
});

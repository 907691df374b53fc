import {
  GetFunctionConfigurationCommand,
  type GetFunctionConfigurationCommandOutput,
  GetFunctionUrlConfigCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ManagedIntegrationsClient, SERVICE_ENDPOINT_VARIABLES } from '@c2c-kit/connector/client';
import { type Call, demoCaller } from '../dev/demoSetup.js';
import { StepFailedError } from '../errors.js';
import { type FaultInjection, FaultProxy } from './faultProxy.js';
import { JournalReader } from './journal.js';
import { VendorProxy } from './proxy.js';
import {
  type ConformanceStack,
  type ConformanceTarget,
  connectorEvents,
  firstSecret,
  invokeDirect,
  type Session,
  type VendorWorld,
} from './session.js';
import type { ConformanceSettings } from './types.js';
import type { VendorDriver } from './vendor.js';

// `c2c test --deployed`: the suite against a function `c2c deploy --local` put into a running
// emulator. Everything is found from the function's name with the emulator's own APIs (Lambda,
// managed integrations, Secrets Manager); what the function does is read from the emulator's
// function journal. Only what happens from the moment the session opens is judged.
//
// Two checks need to stand between the function and what it calls, as the in-process session
// does: its vendor variable is pointed at the suite's counting proxy for the whole session
// (retries.replay), and its managed-integrations endpoint at the suite's fault endpoint for one
// check (retries.send-faults). Both are changes of the function's configuration
// (UpdateFunctionConfiguration), undone when the session closes, also after a failure or Ctrl-C.

type Deployed = Extract<ConformanceTarget, { kind: 'deployed' }>;

const STEP = 'deployed connector';
const fail = (reason: string, cause?: unknown) =>
  new StepFailedError(STEP, reason, cause === undefined ? undefined : { cause });

/** The name of an error AWS answered with (`ResourceNotFoundException`); undefined: no answer. */
function awsError(error: unknown): string | undefined {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode !== undefined ? e.name : undefined;
}

interface FoundFunction {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly environment: Readonly<Record<string, string>>;
}

async function findFunction(lambda: LambdaClient, target: Deployed): Promise<FoundFunction> {
  const where = `the emulator at ${target.emulatorUrl} (${target.region})`;
  let config: GetFunctionConfigurationCommandOutput;
  try {
    config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: target.functionName }),
    );
  } catch (error) {
    if (awsError(error) === 'ResourceNotFoundException') {
      throw fail(
        `no function "${target.functionName}" in ${where}; give the FunctionName output c2c deploy --local printed, or the stack's name in the directory it ran in`,
        error,
      );
    }
    if (awsError(error) === undefined) {
      throw fail(
        `no emulator answers at ${target.emulatorUrl} (${(error as Error).message}); start one with c2c emulator, or give --endpoint`,
        error,
      );
    }
    throw fail(`GetFunctionConfiguration: ${(error as Error).message}`, error);
  }
  let url: string | undefined;
  try {
    url = (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: config.FunctionArn })))
      .FunctionUrl;
  } catch (error) {
    if (awsError(error) !== 'ResourceNotFoundException') throw error;
  }
  if (url === undefined) {
    throw fail(`${target.functionName} has no Function URL: vendor webhooks cannot reach it`);
  }
  return {
    name: config.FunctionName ?? target.functionName,
    arn: config.FunctionArn as string,
    url,
    environment: config.Environment?.Variables ?? {},
  };
}

type Json = Record<string, unknown>;

/**
 * The CloudConnector invoking `arn`, and its connector destination with its OAuth client; when
 * there is no client to be had, `noClient` says why.
 */
async function findConnector(
  call: Call,
  secrets: SecretsManagerClient,
  fn: FoundFunction,
): Promise<{
  connectorId: string;
  destinationId?: string;
  oauthClient?: { clientId: string; clientSecret: string };
  noClient?: string;
}> {
  const listed = await call<{ Items?: Json[] }>(STEP, 'ListCloudConnectors', {
    LambdaArn: fn.arn,
  });
  const ids = (listed.Items ?? []).map((c) => String(c.Id));
  if (ids.length === 0) {
    throw fail(
      `no CloudConnector invokes ${fn.arn}: its stack registers one (Custom::C2cCloudConnector) when deployed with c2c deploy --local`,
    );
  }
  if (ids.length > 1) {
    throw fail(`several CloudConnectors invoke ${fn.arn} (${ids.join(', ')}); remove all but one`);
  }
  const connectorId = ids[0] as string;
  const destinations = await call<{ ConnectorDestinationList?: Json[] }>(
    STEP,
    'ListConnectorDestinations',
    { CloudConnectorId: connectorId },
  );
  const first = destinations.ConnectorDestinationList?.[0];
  if (first === undefined) {
    return { connectorId, noClient: `CloudConnector ${connectorId} has no connector destination` };
  }
  const destinationId = String(first.Id);
  const got = await call<{
    AuthType?: string;
    SecretsManager?: { arn: string; versionId: string };
  }>(STEP, 'GetConnectorDestination', { Identifier: destinationId });
  if (got.AuthType !== 'OAUTH' || got.SecretsManager === undefined) {
    const noClient = `connector destination ${destinationId} links accounts with ${got.AuthType}`;
    return { connectorId, destinationId, noClient };
  }
  // The form the service reads a destination's client from: {"clientId", "clientSecret"}.
  let parsed: Json = {};
  try {
    const secret = await secrets.send(
      new GetSecretValueCommand({
        SecretId: got.SecretsManager.arn,
        VersionId: got.SecretsManager.versionId,
      }),
    );
    parsed = JSON.parse(secret.SecretString ?? '') as Json;
  } catch (error) {
    const noClient = `the secret of connector destination ${destinationId} could not be read (${got.SecretsManager.arn}: ${(error as Error).message})`;
    return { connectorId, destinationId, noClient };
  }
  const clientId = parsed.clientId ?? parsed.client_id;
  const clientSecret = parsed.clientSecret ?? parsed.client_secret;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    const noClient = `the secret of connector destination ${destinationId} holds no OAuth client`;
    return { connectorId, destinationId, noClient };
  }
  return { connectorId, destinationId, oauthClient: { clientId, clientSecret } };
}

/**
 * The connector's webhook secret: the variable named (`--webhook-secret-env`), else the one
 * holding a `whsec_` value. When no variable or several hold one, `missing` says which and the
 * flag to give.
 */
export function webhookSecretOf(
  fn: { readonly name: string; readonly environment: Readonly<Record<string, string>> },
  name: string | undefined,
): { readonly secret: string } | { readonly missing: string } {
  if (name !== undefined) {
    const value = firstSecret(fn.environment[name]);
    if (value === undefined)
      throw fail(`${fn.name} has no variable ${name} (--webhook-secret-env)`);
    return { secret: value };
  }
  const found = Object.entries(fn.environment)
    .filter(([, v]) => firstSecret(v)?.startsWith('whsec_'))
    .map(([k]) => k)
    .sort();
  if (found.length === 1) {
    return { secret: firstSecret(fn.environment[found[0] as string]) as string };
  }
  return {
    missing:
      found.length === 0
        ? `no variable of ${fn.name} holds a Standard Webhooks secret (whsec_…); name it with --webhook-secret-env`
        : `several variables of ${fn.name} hold webhook secrets (${found.join(', ')}); choose one with --webhook-secret-env`,
  };
}

/**
 * Where what preparing did not find is said once the vendor side is open (a vendor that needs it
 * does not open, and its error says so): the webhook secret as the reason security.webhook-expired
 * is not run (`noWebhookSecret`), the rest in the report's notes. With `--vendor-config` the suite
 * links through a destination of its own and signs with the file's `webhookSecret`, so what the
 * connector lacks stops no check, but a deployment without it is not one the service can use.
 */
export function preparationNotes(
  found: { readonly noClient?: string; readonly noWebhookSecret?: string },
  vendor: Pick<VendorDriver, 'destination' | 'webhookSecret'>,
): { readonly noWebhookSecret?: string; readonly notes: string[] } {
  const notes: string[] = [];
  if (found.noClient !== undefined) {
    notes.push(
      vendor.destination === undefined
        ? found.noClient
        : `${found.noClient}; the suite links accounts through a destination of its own, from --vendor-config's oauth`,
    );
  }
  if (found.noWebhookSecret === undefined) return { notes };
  if (vendor.webhookSecret === undefined) {
    return {
      noWebhookSecret: `no webhook secret to sign with: --vendor-config gives no webhookSecret, and ${found.noWebhookSecret}`,
      notes,
    };
  }
  notes.push(
    `${found.noWebhookSecret}; the suite signs webhooks with --vendor-config's webhookSecret`,
  );
  return { notes };
}

/**
 * The variables a connector's client reads its managed-integrations endpoint from (the AWS SDKs'
 * service-specific name, and the older one c2c-kit's runtime still reads). The general
 * AWS_ENDPOINT_URL is left alone: it also carries SQS, DynamoDB and Secrets Manager, which the
 * fault endpoint does not serve.
 */
export const ENDPOINT_VARIABLES = SERVICE_ENDPOINT_VARIABLES;

/**
 * The function's variables as found, and the suite's changes over them: each change is one
 * UpdateFunctionConfiguration with the whole set (Lambda replaces it whole), and `restore` puts
 * the found set back. The emulator starts fresh workers after each update, so the next
 * invocation reads the new variables; one already running keeps the old ones.
 */
class FunctionEnvironment {
  readonly #patches = new Map<string, Readonly<Record<string, string>>>();
  #changed = false;

  constructor(
    private readonly lambda: LambdaClient,
    private readonly fn: FoundFunction,
  ) {}

  async patch(key: string, variables: Readonly<Record<string, string>> | undefined) {
    if (variables === undefined) this.#patches.delete(key);
    else this.#patches.set(key, variables);
    this.#changed = true;
    await this.#apply(Object.assign({ ...this.fn.environment }, ...this.#patches.values()));
  }

  async restore() {
    if (!this.#changed) return;
    this.#patches.clear();
    await this.#apply({ ...this.fn.environment });
    this.#changed = false;
  }

  async #apply(variables: Record<string, string>) {
    await this.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: this.fn.arn,
        Environment: { Variables: variables },
      }),
    );
  }
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * The variable holding the vendor's URL: the one named (`--vendor-url-env`), else the one whose
 * value is `apiUrl`. When no variable or several hold it, the suite cannot put its counting proxy
 * in between: `noProxy` says why and which flag to give (the reason `retries.replay` reports).
 */
export function vendorVariableOf(
  fn: { readonly name: string; readonly environment: Readonly<Record<string, string>> },
  name: string | undefined,
  apiUrl: string,
): { readonly variable: string } | { readonly noProxy: string } {
  if (name !== undefined) {
    if (fn.environment[name] === undefined)
      throw fail(`${fn.name} has no variable ${name} (--vendor-url-env)`);
    return { variable: name };
  }
  const found = Object.keys(fn.environment)
    .filter((k) => sameUrl(fn.environment[k] as string, apiUrl))
    .sort();
  if (found.length === 1) return { variable: found[0] as string };
  const which =
    found.length === 0
      ? `no variable of ${fn.name} holds the vendor URL ${apiUrl}`
      : `several variables of ${fn.name} hold the vendor URL ${apiUrl} (${found.join(', ')})`;
  return {
    noProxy: `${which}, so its vendor calls cannot be counted: give the variable the connector calls its vendor at with --vendor-url-env NAME`,
  };
}

export async function openDeployedSession(
  target: Deployed,
  settings: ConformanceSettings,
  makeVendor: (world: VendorWorld) => Promise<VendorDriver> | VendorDriver,
): Promise<Session> {
  const openedAt = Date.now();
  const { emulatorUrl, region, credentials } = target;
  const aws = { endpoint: emulatorUrl, region, credentials };
  const lambda = new LambdaClient(aws);
  const secrets = new SecretsManagerClient(aws);
  const client = new ManagedIntegrationsClient({ ...aws, validate: false });
  const closers: Array<() => Promise<void>> = [
    async () => lambda.destroy(),
    async () => secrets.destroy(),
    () => client.close(),
  ];
  const closeAll = async () => {
    for (const close of closers) await close().catch(() => {});
  };
  try {
    const fn = await findFunction(lambda, target);
    const call = demoCaller({ client });
    const found = await findConnector(call, secrets, fn);
    const webhook = webhookSecretOf(fn, target.webhookSecretEnv);
    const webhookSecret = 'secret' in webhook ? webhook.secret : undefined;
    const noWebhookSecret = 'missing' in webhook ? webhook.missing : undefined;
    const journal = await JournalReader.open(emulatorUrl, fn.arn);
    closers.unshift(() => journal.close());
    let vendor: VendorDriver;
    try {
      vendor = await makeVendor({
        emulatorUrl,
        vendorCloudUrl: target.vendorCloudUrl,
        oauthClient: found.oauthClient,
        webhookSecret,
        routeWebhooks: true,
      });
    } catch (error) {
      const notes = [found.noClient, noWebhookSecret].filter((n) => n !== undefined);
      const why = notes.length > 0 ? ` (${notes.join('; ')})` : '';
      throw fail(`${(error as Error).message}${why}`, error);
    }
    const prepared = preparationNotes({ ...found, noWebhookSecret }, vendor);
    closers.unshift(() => vendor.close());
    const environment = new FunctionEnvironment(lambda, fn);
    const servers: Array<{ close(): Promise<void> }> = [];
    closers.unshift(async () => {
      for (const server of servers) await server.close().catch(() => {});
    });
    // First of all closers: the function points at nothing of the suite's any more.
    closers.unshift(() => environment.restore());
    const vendorEnv = vendorVariableOf(fn, target.vendorUrlEnv, vendor.apiUrl);
    let proxy: VendorProxy | undefined;
    if ('variable' in vendorEnv) {
      proxy = new VendorProxy();
      servers.push(proxy);
      const proxyUrl = await proxy.start();
      proxy.upstream = fn.environment[vendorEnv.variable] as string;
      await environment.patch('vendor', { [vendorEnv.variable]: proxyUrl });
    }
    const stack: ConformanceStack = {
      emulatorUrl,
      region,
      customer: { credentials },
      connectorId: found.connectorId,
      connectorDestinationId: found.destinationId,
      functionUrl: fn.url,
      connector: { source: `${fn.name} in the emulator at ${emulatorUrl}`, functionName: fn.name },
    };
    // Whatever the checks learn (an answer, a state, an event) is followed by a journal read, so
    // an invocation that ended before it is there, as the in-process session sees it.
    const observed: Call = async (step, name, input) => {
      const answer = await call(step, name, input);
      await journal.refresh();
      return answer as never;
    };
    const session: Session = {
      stack,
      vendor,
      settings,
      proxy,
      ...('noProxy' in vendorEnv ? { noProxy: vendorEnv.noProxy } : {}),
      ...(prepared.noWebhookSecret === undefined
        ? {}
        : { noWebhookSecret: prepared.noWebhookSecret }),
      notes: prepared.notes,
      stackStartMs: Date.now() - openedAt,
      call: observed,
      async events() {
        const events = await connectorEvents(emulatorUrl, found.connectorId, openedAt);
        await journal.refresh();
        return events;
      },
      invocations: () => journal.invocations,
      logLines: () => journal.lines,
      async invoke(envelope) {
        journal.remember(envelope);
        const answer = await invokeDirect(lambda, fn.arn, envelope);
        await journal.refresh();
        return answer;
      },
      async redeploy() {
        // A configuration update that changes nothing: the emulator (like Lambda) starts fresh
        // workers for the next invocation.
        await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn.arn }));
      },
      async faults(): Promise<FaultInjection> {
        const endpoint = new FaultProxy(client);
        servers.push(endpoint);
        const url = await endpoint.start();
        await environment.patch(
          'faults',
          Object.fromEntries(ENDPOINT_VARIABLES.map((v) => [v, url])),
        );
        return {
          set: (faults) => endpoint.set(faults),
          seen: () => endpoint.seen(),
          async close() {
            endpoint.set({});
            // The endpoint stays open (without faults) until the session closes: an invocation
            // already running keeps the variables it started with.
            await environment.patch('faults', undefined);
          },
        };
      },
      close: closeAll,
    };
    await vendor.prepare(fn.url);
    return session;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

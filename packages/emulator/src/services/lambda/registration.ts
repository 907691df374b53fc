import { existsSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute } from 'node:path';
import { FunctionRegistrationError } from './errors.js';
import { REGION } from './functionRef.js';
import { ENV_KEY, RESERVED_ENV, refusedVariable } from './processEnv.js';

/** Input of `LambdaHost.registerFunction` and `POST /_local/functions`. */
export interface RegisterFunctionInput {
  name: string;
  /** Absolute path to the handler module (ESM `.js`/`.mjs` or CommonJS `.cjs`/`.js`). */
  handler: string;
  /** Export that holds the handler function; `handler` by default. */
  exportName?: string;
  environment?: Record<string, string>;
  /** Lambda's default is 3 s; 1 to 900. */
  timeoutSeconds?: number;
  /** Owning account; the emulator's default account when omitted. */
  accountId?: string;
  /** The function's region; the emulator's configured region when omitted. */
  region?: string;
}

/** A registration with every default applied. */
export type ValidRegistration = Required<RegisterFunctionInput>;

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;

/**
 * Validates a registration like Lambda's CreateFunction would; every message names the field.
 * Throws `FunctionRegistrationError`.
 */
export function validateRegistration(
  input: RegisterFunctionInput,
  defaults: { accountId: string; region: string },
): ValidRegistration {
  const bad = (m: string): FunctionRegistrationError => new FunctionRegistrationError(m);
  if (typeof input !== 'object' || input === null) {
    throw bad(`function: expected an object, got ${input === null ? 'null' : typeof input}`);
  }
  const { name, handler } = input;
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
    throw bad(
      `name: expected 1-64 characters of a-z, A-Z, 0-9, "-" and "_", got ${JSON.stringify(name)?.slice(0, 80)}`,
    );
  }
  if (typeof handler !== 'string' || !isAbsolute(handler)) {
    throw bad(
      `handler: expected an absolute path to a JS module, got ${JSON.stringify(handler)?.slice(0, 200)}`,
    );
  }
  if (!['.js', '.mjs', '.cjs'].includes(extname(handler))) {
    throw bad(`handler: expected a .js, .mjs or .cjs file, got "${basename(handler)}"`);
  }
  if (!existsSync(handler) || !statSync(handler).isFile()) {
    throw bad(`handler: no such file: ${handler}`);
  }
  const exportName = input.exportName ?? 'handler';
  if (typeof exportName !== 'string' || !EXPORT_NAME.test(exportName)) {
    throw bad(`exportName: expected a JavaScript identifier, got ${JSON.stringify(exportName)}`);
  }
  const timeoutSeconds = input.timeoutSeconds ?? 3;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
    throw bad(`timeoutSeconds: expected an integer from 1 to 900, got ${String(timeoutSeconds)}`);
  }
  const environment = input.environment ?? {};
  if (typeof environment !== 'object' || environment === null || Array.isArray(environment)) {
    throw bad('environment: expected an object of string values');
  }
  let size = 0;
  for (const [k, v] of Object.entries(environment)) {
    if (!ENV_KEY.test(k)) throw bad(`environment.${k}: invalid variable name`);
    if (RESERVED_ENV.has(k)) {
      throw bad(`environment.${k}: reserved key; Lambda sets it and it cannot be modified`);
    }
    if (typeof v !== 'string') throw bad(`environment.${k}: expected string, got ${typeof v}`);
    const refused = refusedVariable(k, v);
    if (refused !== undefined) throw bad(`environment.${k}: refused: it ${refused}`);
    size += k.length + v.length;
  }
  if (size > 4096) throw bad(`environment: total size must be at most 4 KB, got ${size} bytes`);
  const accountId = input.accountId ?? defaults.accountId;
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) {
    throw bad(`accountId: expected 12 digits, got ${JSON.stringify(accountId)}`);
  }
  const region = input.region ?? defaults.region;
  if (typeof region !== 'string' || !REGION.test(region)) {
    throw bad(`region: expected a region name such as us-east-1, got ${JSON.stringify(region)}`);
  }
  return { name, handler, exportName, timeoutSeconds, environment, accountId, region };
}

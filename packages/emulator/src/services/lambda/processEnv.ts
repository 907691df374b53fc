/**
 * Which environment variables a function's configuration may not set: the ones that configure the
 * Node.js process or the dynamic loader rather than the function. With them, whoever registers a
 * function (`POST /_local/functions` is unsigned) could make its worker load any code
 * (`NODE_OPTIONS=--require …`, `LD_PRELOAD`), open a debugger port (`--inspect`) or write files
 * (`NODE_V8_COVERAGE`, `NODE_REDIRECT_WARNINGS`). AWS Lambda allows some of these in a signed
 * UpdateFunctionConfiguration; the emulator has no signed way to configure a function, so it
 * refuses them everywhere.
 */

/** `NODE_*` variables that only tune output or mark the environment; all other `NODE_*` are refused. */
const HARMLESS_NODE_VARIABLES = new Set(['NODE_ENV', 'NODE_DEBUG', 'NODE_NO_WARNINGS']);

/** Node.js flags that load code or open a debugger, wherever they appear in a value. */
const PROCESS_FLAG =
  /(?:^|\s)(?:-r|--require|--import|--(?:experimental-)?loader|--inspect[a-z-]*|--debug[a-z-]*)(?:[=\s]|$)/i;

/**
 * Why `name=value` cannot be part of a function's configuration, or undefined when it can.
 * Names compare case-insensitively (Windows environment names do).
 */
export function refusedVariable(name: string, value: string): string | undefined {
  const upper = name.toUpperCase();
  if (
    (upper.startsWith('NODE_') && !HARMLESS_NODE_VARIABLES.has(upper)) ||
    upper.startsWith('LD_') ||
    upper.startsWith('DYLD_')
  ) {
    return 'configures the Node.js process or the dynamic loader, which a function configuration may not do here (see docs/security.md)';
  }
  if (PROCESS_FLAG.test(value)) {
    return 'carries a Node.js flag that loads code or opens a debugger (--require, --import, --loader, --inspect…), which a function configuration may not do here (see docs/security.md)';
  }
  return undefined;
}

/**
 * `environment` without the refused variables: the worker's environment is built from this, so a
 * registration stored before the check existed (an older data directory) cannot pass them either.
 */
export function withoutRefused(environment: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (refusedVariable(name, value) === undefined) kept[name] = value;
  }
  return kept;
}

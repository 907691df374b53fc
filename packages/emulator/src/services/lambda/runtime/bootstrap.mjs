// Lambda-style runtime for one worker process (started by WorkerPool with child_process.fork).
// Plain JavaScript on purpose: it runs as-is from src/ and from the published package, with no
// build step or loader. Protocol over the IPC channel:
//   parent → worker  { type: 'invoke', id, event, context: { awsRequestId, invokedFunctionArn,
//                      deadlineMs, clientContext?, traceId } }
//   worker → parent  { type: 'result', id, payload } | { type: 'error', id, error: { errorType,
//                      errorMessage, trace } }
// Like the Node.js Lambda runtime, a worker runs one invocation at a time, and an uncaught
// exception or unhandled rejection fails the current invocation and ends the process.
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const [handlerPath, exportName] = process.argv.slice(2);
let handlerFn;
let current;

// Console output as the Node.js Lambda runtime writes it: time, request id, level, message.
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['debug', 'DEBUG'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['trace', 'TRACE'],
]) {
  console[method] = (...args) => {
    process.stdout.write(
      `${new Date().toISOString()}\t${current?.requestId ?? 'undefined'}\t${level}\t${format(...args)}\n`,
    );
  };
}

function toLambdaError(err, fallbackType) {
  if (err instanceof Error) {
    return {
      errorType: err.name && err.name !== 'Error' ? err.name : (fallbackType ?? 'Error'),
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  return {
    errorType: fallbackType ?? typeof err,
    errorMessage: typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err)),
    trace: [],
  };
}

async function loadHandler() {
  if (handlerFn) return handlerFn;
  let mod;
  try {
    mod = await import(pathToFileURL(handlerPath).href);
  } catch (err) {
    const e = toLambdaError(err);
    e.errorType = 'Runtime.ImportModuleError';
    e.errorMessage = `Error: Cannot load module '${handlerPath}': ${e.errorMessage}`;
    throw Object.assign(new Error(e.errorMessage), { lambda: e });
  }
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== 'function') {
    const msg = `${handlerPath}.${exportName} is undefined or not exported`;
    throw Object.assign(new Error(msg), {
      lambda: { errorType: 'Runtime.HandlerNotFound', errorMessage: msg, trace: [] },
    });
  }
  handlerFn = fn;
  return fn;
}

function send(message) {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

function finish(id, outcome) {
  if (!current || current.id !== id) return Promise.resolve();
  current = undefined;
  return send({ ...outcome, id });
}

function fail(id, err, fatal = false) {
  return finish(id, { type: 'error', error: err?.lambda ?? toLambdaError(err), fatal });
}

function succeed(id, value) {
  let payload;
  try {
    payload = JSON.stringify(value === undefined ? null : value);
  } catch (err) {
    return fail(id, err);
  }
  return finish(id, { type: 'result', payload });
}

async function invoke(message) {
  const { id, event, context: c } = message;
  current = { id, requestId: c.awsRequestId };
  process.env._X_AMZN_TRACE_ID = c.traceId;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: c.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: c.awsRequestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: c.clientContext,
    identity: undefined,
    getRemainingTimeInMillis: () => Math.max(0, c.deadlineMs - Date.now()),
    done: (err, value) => (err ? fail(id, err) : succeed(id, value)),
    succeed: (value) => succeed(id, value),
    fail: (err) => fail(id, err),
  };
  let parsed;
  try {
    parsed = JSON.parse(event);
  } catch (err) {
    return fail(id, err);
  }
  try {
    const fn = await loadHandler();
    // Callback-style handlers take (event, context, callback); async ones return a promise.
    const callback = (err, value) => (err ? fail(id, err) : succeed(id, value));
    const out = fn(parsed, context, callback);
    if (out && typeof out.then === 'function') {
      const value = await out;
      await succeed(id, value);
    } else if (fn.length < 3) {
      await succeed(id, out);
    }
  } catch (err) {
    await fail(id, err);
  }
}

async function crash(err, type) {
  if (current) {
    const e = toLambdaError(err);
    if (!(err instanceof Error)) e.errorType = type;
    // fatal: the parent retires this worker instead of sending it the next invocation.
    await fail(current.id, Object.assign(new Error(e.errorMessage), { lambda: e }), true);
  }
  console.error(`${type}: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
}

process.on('uncaughtException', (err) => void crash(err, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (err) => void crash(err, 'Runtime.UnhandledPromiseRejection'));
process.on('message', (message) => {
  if (message && message.type === 'invoke') void invoke(message);
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });

export {
  CONTROL,
  checkRequest,
  type GuardPolicy,
  type GuardRequest,
  HOST_ONLY,
  type Pass,
  type Refusal,
  type Verdict,
} from './check.js';
export {
  GUARD_CODES,
  type GuardCode,
  LocalGuardConfigError,
  LocalGuardError,
} from './errors.js';
export {
  type FastifyGuardOptions,
  type FastifyReplyLike,
  type FastifyRequestLike,
  fastifyLocalGuard,
  type RenderedRefusal,
} from './fastify.js';
export {
  type AllowedHosts,
  allowedHostsFor,
  isLoopbackAddress,
  type ListenAddress,
  normalizeAllowedHost,
  normalizeHostHeader,
  parseAllowedHosts,
} from './hosts.js';
export { guardNodeRequest } from './node.js';
export {
  createPrivateFile,
  ensurePrivateDir,
  tightenFile,
  writePrivateFile,
} from './private-files.js';
export { type GuardRule, pathOf, policyFor } from './rules.js';
export { ServerGuard, type ServerGuardOptions } from './server.js';

import type { GuardPolicy } from './check.js';

/** One exemption from a server's default policy, with the reason it is safe. */
export interface GuardRule {
  /** Methods the rule covers (upper case); every method when left out. */
  readonly methods?: readonly string[];
  /**
   * Path pattern: literal segments, `:name` for one non-empty segment, a final `*` for the rest
   * (also nothing). `/lambda-url/*`, `/api/accounts/:id/events`.
   */
  readonly path: string;
  readonly policy: GuardPolicy;
  /** Why the exemption is safe; read by people, kept next to the rule. */
  readonly reason: string;
}

function pathMatches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  for (let i = 0; i < want.length; i++) {
    const segment = want[i];
    if (segment === '*' && i === want.length - 1) return true;
    const actual = got[i];
    if (actual === undefined) return false;
    if (segment?.startsWith(':') ? actual === '' : segment !== actual) return false;
  }
  return got.length === want.length;
}

/**
 * The policy of the first rule matching `method` and `path` (the path without its query, as
 * sent), else `fallback`. Keep `fallback` the strictest policy: a path spelled differently
 * (percent-encoded, doubled slashes) then gets the strict policy, never an exemption.
 */
export function policyFor(
  rules: readonly GuardRule[],
  method: string,
  path: string,
  fallback: GuardPolicy,
): GuardPolicy {
  const m = method.toUpperCase();
  for (const rule of rules) {
    if (rule.methods !== undefined && !rule.methods.includes(m)) continue;
    if (pathMatches(rule.path, path)) return rule.policy;
  }
  return fallback;
}

/** The path of a request URL (`/a/b?x=1` → `/a/b`). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

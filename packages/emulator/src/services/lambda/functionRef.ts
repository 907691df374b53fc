/** A region name as Lambda ARNs carry it (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`). */
const REGION_SOURCE = '(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d';
export const REGION = new RegExp(`^${REGION_SOURCE}$`);

/**
 * Function references as the Lambda API accepts them: a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN, each with an optional qualifier. Same language as
 * the model's `NamespacedFunctionName` pattern (checked by a property test), with capture groups.
 */
const FUNCTION_REF = new RegExp(
  `^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:(${REGION_SOURCE}):(\\d{12}):|(?:(${REGION_SOURCE}):)?(?:(\\d{12}):)?)(?:function:)?([a-zA-Z0-9_.-]+)(?::(\\$LATEST(?:\\.PUBLISHED)?|[a-zA-Z0-9_-]+))?$`,
);

export interface FunctionRef {
  region?: string;
  accountId?: string;
  name: string;
  qualifier?: string;
}

export function parseFunctionRef(ref: string): FunctionRef | undefined {
  if (ref.length < 1 || ref.length > 256) return undefined;
  const m = FUNCTION_REF.exec(ref);
  if (!m) return undefined;
  const region = m[1] ?? m[3];
  const accountId = m[2] ?? m[4];
  return {
    name: m[5] as string,
    ...(region ? { region } : {}),
    ...(accountId ? { accountId } : {}),
    ...(m[6] ? { qualifier: m[6] } : {}),
  };
}

/**
 * Where the parts a reference leaves out come from: the caller's account and the region its
 * request is signed for. A programmatic caller (the managed-integrations service invoking a
 * connector) may leave both out: a full ARN then names its own region, and a bare name means the
 * emulator's default account and configured region.
 */
export interface FunctionScope {
  accountId?: string;
  region?: string;
}

/** Where a reference points: the function's account and region, or why it cannot be reached. */
export type Located =
  | { readonly ok: true; readonly accountId: string; readonly region: string }
  | { readonly ok: false; readonly arnRegion: string; readonly region: string };

/**
 * Resolves the account and region of `ref` as Lambda does: the ARN's own parts first, then the
 * caller's scope, then the defaults. An ARN of another region than the caller's cannot be
 * reached from there (Lambda answers "Functions from 'X' are not reachable in this region").
 */
export function locate(
  ref: FunctionRef,
  scope: FunctionScope,
  defaults: { accountId: string; region: string },
): Located {
  if (ref.region !== undefined && scope.region !== undefined && ref.region !== scope.region) {
    return { ok: false, arnRegion: ref.region, region: scope.region };
  }
  return {
    ok: true,
    accountId: ref.accountId ?? scope.accountId ?? defaults.accountId,
    region: ref.region ?? scope.region ?? defaults.region,
  };
}

/**
 * Function references as the Lambda API accepts them: a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN, each with an optional qualifier. Same language as
 * the model's `NamespacedFunctionName` pattern (checked by a property test), with capture groups.
 */
const FUNCTION_REF =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:((?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):(\d{12}):|(?:((?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?)(?:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_-]+))?$/;

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

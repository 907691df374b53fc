/** Emits `generated/operations.ts`: each operation's restJson1 HTTP binding and the modelled
 * errors' status, fault and retry class, as data. */
import type { Closure } from './closure.js';
import { hasTrait, localName, plainDoc, resolveShape, type SmithyModel, trait } from './model.js';

interface HttpTrait {
  method: string;
  uri: string;
  code?: number;
}

export function emitOperations(model: SmithyModel, closure: Closure, banner: string): string {
  const out: string[] = [
    banner,
    '',
    "import type { ErrorShapeInfo, OperationBinding } from '../bindings.js';",
    '',
  ];
  const table: string[] = [
    '/** HTTP bindings (restJson1) of every generated operation, as data. */',
    'export const OPERATIONS = {',
  ];
  for (const op of closure.operations) {
    const http = trait<HttpTrait>(op.shape.traits, 'http');
    if (!http) throw new Error(`smithy: ${op.name} has no @http`);
    const input = resolveShape(model, op.shape.input?.target ?? 'smithy.api#Unit');
    const path: string[] = [];
    const query: Array<{ member: string; name: string; type: string }> = [];
    const header: Array<{ member: string; name: string; type: string }> = [];
    const body: string[] = [];
    let payload: string | undefined;
    let token: string | undefined;
    const required: string[] = [];
    for (const [memberName, m] of Object.entries(input.members ?? {})) {
      const type = resolveShape(model, m.target).type;
      if (hasTrait(m.traits, 'required')) required.push(memberName);
      if (hasTrait(m.traits, 'idempotencyToken')) token = memberName;
      if (hasTrait(m.traits, 'httpLabel')) path.push(memberName);
      else if (hasTrait(m.traits, 'httpQuery')) {
        query.push({ member: memberName, name: trait<string>(m.traits, 'httpQuery') ?? '', type });
      } else if (hasTrait(m.traits, 'httpHeader')) {
        header.push({
          member: memberName,
          name: trait<string>(m.traits, 'httpHeader') ?? '',
          type,
        });
      } else if (hasTrait(m.traits, 'httpPayload')) payload = memberName;
      else body.push(memberName);
    }
    const paginated = trait<Record<string, string>>(op.shape.traits, 'paginated');
    const entry = {
      name: op.name,
      method: http.method,
      uri: http.uri,
      successCode: http.code ?? 200,
      pathMembers: path,
      queryMembers: query.map((q) => q.member),
      headerMembers: header.map((h) => h.member),
      bodyMembers: body,
      payloadMember: payload ?? null,
      queryBindings: query,
      headerBindings: header,
      requiredMembers: required,
      idempotencyToken: token ?? null,
      idempotent: hasTrait(op.shape.traits, 'idempotent'),
      readonly: hasTrait(op.shape.traits, 'readonly'),
      paginated: paginated ?? null,
      inputShape: localName(op.shape.input?.target ?? 'smithy.api#Unit'),
      outputShape: localName(op.shape.output?.target ?? 'smithy.api#Unit'),
      errors: (op.shape.errors ?? []).map((e) => localName(e.target)),
    };
    // One constant per operation, so a bundle that names a few operations' bindings carries
    // only those (an object-literal table cannot be tree-shaken by property).
    const doc = plainDoc(op.shape.traits, 160);
    if (doc) out.push(`/** ${doc} */`);
    out.push(
      `export const ${op.name}Binding = ${JSON.stringify(entry, null, 2)} as const satisfies OperationBinding;`,
      '',
    );
    table.push(`  ${op.name}: ${op.name}Binding,`);
  }
  out.push(
    ...table,
    '} as const satisfies Record<string, OperationBinding>;',
    '',
    '/** Modelled errors: HTTP status, fault and retry class (see bindings.ts for the retry rule). */',
    'export const ERROR_SHAPES = {',
  );
  for (const id of closure.errors) {
    const shape = resolveShape(model, id);
    const status = trait<number>(shape.traits, 'httpError') ?? 0;
    const fault = trait<string>(shape.traits, 'error') ?? 'client';
    const retryableTrait = trait<{ throttling?: boolean }>(shape.traits, 'retryable');
    // The model carries no @retryable; fall back to the AWS SDK standard retry classification
    // (429 throttling; 500/502/503/504 transient), which is what real clients do.
    const throttling = retryableTrait?.throttling === true || status === 429;
    const retryable =
      retryableTrait !== undefined || throttling || [500, 502, 503, 504].includes(status);
    const entry = {
      name: localName(id),
      httpStatus: status,
      fault,
      retryable,
      throttling,
      retryableFrom: retryableTrait ? 'model' : 'sdk-standard-retry',
      members: Object.keys(shape.members ?? {}).filter((m) => m !== 'Message'),
    };
    out.push(`  ${localName(id)}: ${JSON.stringify(entry)},`);
  }
  out.push(
    '} as const satisfies Record<string, ErrorShapeInfo>;',
    '',
    '/** Name of a modelled error shape. */',
    'export type ErrorShapeName = keyof typeof ERROR_SHAPES;',
    '',
  );
  return out.join('\n');
}

/** Shapes of the generated HTTP-binding tables (`OPERATIONS`, `ERROR_SHAPES`). */

/** A query-string or header member: the member name and its name on the wire. */
export interface HttpMemberBinding {
  readonly member: string;
  /** Wire name (`?Type=`, `?SchemaIdFilter=`), which can differ from the member name. */
  readonly name: string;
  /** Smithy type of the member (`string`, `integer`, `enum`, `list`, …), for coercion. */
  readonly type: string;
}

/** restJson1 HTTP binding of one operation. Member names are the model's (wire casing). */
export interface OperationBinding {
  readonly name: string;
  readonly method: string;
  /** URI template with `{Label}` placeholders, e.g. `/connector-event/{ConnectorId}`. */
  readonly uri: string;
  readonly successCode: number;
  /** Members bound to `{Label}` in `uri` (the label is the member name). */
  readonly pathMembers: readonly string[];
  /** Members bound to the query string; wire names in `queryBindings`. */
  readonly queryMembers: readonly string[];
  readonly headerMembers: readonly string[];
  /** Members serialised as top-level keys of the JSON body. */
  readonly bodyMembers: readonly string[];
  /** Member bound with `@httpPayload` (whole body), or null. */
  readonly payloadMember: string | null;
  readonly queryBindings: readonly HttpMemberBinding[];
  readonly headerBindings: readonly HttpMemberBinding[];
  readonly requiredMembers: readonly string[];
  /** Member marked `@idempotencyToken` (`ClientToken`), or null. */
  readonly idempotencyToken: string | null;
  readonly idempotent: boolean;
  readonly readonly: boolean;
  readonly paginated: Readonly<Record<string, string>> | null;
  readonly inputShape: string;
  readonly outputShape: string;
  /** Modelled errors (shape names, keys of `ERROR_SHAPES`). */
  readonly errors: readonly string[];
}

/**
 * A modelled error. The model has no `@retryable` traits, so `retryable`/`throttling` follow the
 * AWS SDK standard retry classification (429 is throttling; 500/502/503/504 are transient) and
 * `retryableFrom` says so.
 */
export interface ErrorShapeInfo {
  readonly name: string;
  readonly httpStatus: number;
  readonly fault: string;
  readonly retryable: boolean;
  readonly throttling: boolean;
  readonly retryableFrom: 'model' | 'sdk-standard-retry';
  /** Members besides `Message` (e.g. `ResourceId`, `ResourceType`). */
  readonly members: readonly string[];
}

import { formatIssue, type Result } from '@c2c-kit/protocol';
import fc from 'fast-check';

/** Junk beyond JSON too: BigInt, Maps, Sets, Dates, typed arrays, null prototypes, boxed values. */
export const hostile = () =>
  fc.anything({
    withBigInt: true,
    withMap: true,
    withSet: true,
    withDate: true,
    withTypedArray: true,
    withNullPrototype: true,
    withBoxedValues: true,
  });

/** A result's issues as users read them (`formatIssue`), none for a success. */
export function messages(r: Result<unknown>): string[] {
  return r.ok ? [] : r.issues.map(formatIssue);
}

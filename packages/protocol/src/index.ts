export type { Result, ValidationIssue } from './result.js';
export { describeValue, formatIssue, joinPath } from './result.js';

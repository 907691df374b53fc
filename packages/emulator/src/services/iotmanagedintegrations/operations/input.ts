import type { OperationName, OperationShapes } from '@c2c-kit/protocol';

/** The validated input of operation `K` (for operations whose request type protocol does not name). */
export type Input<K extends OperationName> = OperationShapes[K]['input'];

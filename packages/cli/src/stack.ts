// `@c2c-kit/cli/stack`: the local stack's one bring-up — the emulator, the vendor cloud and a
// connector in the emulator's Lambda host, provisioned through the customer's own API calls,
// with the dashboard on top. `c2c dev` and `c2c test` start it, and so do this repository's
// end-to-end tests; a program of yours can too (docs/architecture.md, "Stack bring-up").
export type { CustomerAccount } from './dev/dashboardServer.js';
export {
  CONNECTOR_STORE_FILE,
  DEV_EVENT_TYPES,
  type DevStack,
  type DevStackOptions,
  startDevStack,
  VENDOR_STATE_FILE,
} from './dev/stack.js';

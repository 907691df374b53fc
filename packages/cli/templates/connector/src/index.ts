import { configFromEnv } from './config.js';
import { createVendorConnector } from './connector.js';
import { sharedStore } from './store.js';
import { HttpVendorClient } from './vendorClient.js';

const config = configFromEnv();
const store = sharedStore();

/**
 * The Lambda entry point (bundled to dist/index.mjs by `npm run build`). A missing or empty
 * variable fails the import, naming it: `c2c dev` reports that at start, and Lambda on every
 * invocation.
 */
export const handler = createVendorConnector(
  config,
  new HttpVendorClient(config.apiUrl),
  store ? { runtime: { idempotency: store } } : {},
);

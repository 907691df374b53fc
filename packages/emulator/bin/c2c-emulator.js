#!/usr/bin/env node
// npm links bins while it installs, before the root's `prepare` has built dist/: this file exists
// then, so `npx c2c-emulator` is linked right after `npm ci`. The program itself is src/bin.ts,
// bundled by `npm run build` into one file (scripts/bundle-bin.mjs) because it starts faster.
await import('../dist/bin.bundle.js');

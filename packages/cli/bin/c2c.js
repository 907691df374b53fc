#!/usr/bin/env node
// npm links bins while it installs, before the root's `prepare` has built dist/: this file exists
// then, so `npx c2c` is linked right after `npm ci`. The program itself is dist/bin.js.
await import('../dist/bin.js');

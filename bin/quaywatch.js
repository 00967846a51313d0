#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (installed with the project's dev
// dependencies), with WGSL `?raw` imports resolved as in the app.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./wgsl-hooks.mjs', import.meta.url);
registerTsx();
await import('../src/cli/quaywatch.ts');

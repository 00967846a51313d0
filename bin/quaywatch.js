#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (installed with the project's dev dependencies).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/quaywatch.ts');

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

// The layer table of DESIGN.md: which of our folders each layer may import.
const ALLOWED: Record<string, readonly string[]> = {
  core: ['core'],
  io: ['core', 'io'],
  gpu: ['core', 'gpu', 'shaders'],
  ui: ['core', 'io', 'gpu', 'ui', 'shaders'],
  cli: ['core', 'io', 'gpu', 'cli', 'shaders'],
};
// Packages a layer must never import (DOM frameworks in core/io/gpu/cli, Node in core).
const FORBIDDEN_PACKAGES: Record<string, RegExp> = {
  core: /^(lit|node:|comlink)/,
  io: /^lit/,
  gpu: /^(lit|comlink)/,
  ui: /^node:/,
  cli: /^lit/,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('layering (DESIGN.md)', () => {
  for (const layer of Object.keys(ALLOWED)) {
    test(`src/${layer} imports only what its layer may`, () => {
      const problems: string[] = [];
      for (const file of files(join('src', layer))) {
        const source = readFileSync(file, 'utf8');
        for (const match of source.matchAll(
          /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]/g,
        )) {
          const specifier = match[1] ?? match[2] ?? '';
          if (specifier.startsWith('.')) {
            const target = join(file, '..', specifier).split('/');
            const targetLayer = target[0] === 'src' ? (target[1] ?? '') : (target[0] ?? '');
            if (!(ALLOWED[layer] ?? []).includes(targetLayer))
              problems.push(`${file} → ${specifier}`);
          } else if (FORBIDDEN_PACKAGES[layer]?.test(specifier) === true) {
            problems.push(`${file} → ${specifier}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});

// Flat config: typescript-eslint with type information, zero warnings allowed (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'dist-e2e/',
      'node_modules/',
      'reports/',
      'public/',
      'eslint.config.js',
      'bin/',
      'scripts/*.mjs',
      '.device/',
      '.gl/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    // Kernels open compute passes through pass-profiler.ts's beginComputePass, so a
    // benchmark's profiler times every one; only the timers write timestamps themselves.
    files: ['src/**/*.ts'],
    ignores: ['src/gpu/pass-profiler.ts', 'src/gpu/gpu-timer.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='beginComputePass']",
          message: 'Open compute passes with beginComputePass from src/gpu/pass-profiler.ts.',
        },
      ],
    },
  },
  {
    // Tests may be looser: non-null assertions on fixtures they just built.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);

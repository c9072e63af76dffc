// Lint: typescript-eslint's recommended rules, a few type-aware ones that catch real bugs (a
// promise nobody awaits, a promise where a callback is expected, a switch that misses a case),
// and the layering of docs/ARCHITECTURE.md as allow-lists (scripts/layers.js, applied by the
// rule in scripts/eslint-layers.js, proved by scripts/layers.test.ts).
import tseslint from 'typescript-eslint'
import layersPlugin from './scripts/eslint-layers.js'

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'renderer/dist/', 'e2e/artifacts/', 'bench/results/'],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { local: layersPlugin },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: 'error',
      'local/layers': 'error',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['**/*.d.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.renderer.json', './tsconfig.renderer-tests.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
)

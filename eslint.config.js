// Lint, and the one-way layering of the code (docs/ARCHITECTURE.md):
//   renderer -> shared <- electron/main, electron/preload -> electron/core -> (protocol <- wire)
// `shared` is pure TypeScript; `electron/core` never imports `electron`, so the CLI, the tests and
// a seedbox run it in plain Node; `electron/core/protocol` is pure (no Node, no network, no engine).
import tseslint from 'typescript-eslint'
import { layers } from './scripts/layers.js'

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'renderer/dist/', 'e2e/artifacts/', 'build/no-webrtc/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: 'error',
    },
  },
  ...layers.map(({ files, forbid, pure }) => ({
    files,
    // Tests wire layers together on purpose (e.g. piped wires around the protocol core).
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbid }],
      // import() would slip past the rule above; pure layers load nothing at run time.
      ...(pure && {
        'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'Pure layers use static imports only, so the layering rule can see them.' }],
      }),
    },
  })),
)

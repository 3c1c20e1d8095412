// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'docs/', 'node_modules/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Specs, examples, benches and the command are programs: they may print.
    files: ['spec/**', 'examples/**', 'bench/**', 'lib/cli/**', '*.js'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['spec/**'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  prettier,
);

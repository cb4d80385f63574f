// @ts-check
// `npm run lint` (part of `npm test`). Syntax-only rules: no type information, so the whole
// repository lints in seconds; `npx tsc -p .` already checks types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  // What .gitignore leaves out: dependencies, builds, dev state, reports.
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.faasport/**', '**/coverage/**', '**/conformance-report/**', 'bench/.work/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a parameter or binding kept for its position or to leave
      // it out of a rest object.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Decoders and validators match control characters on purpose (header values, ANSI colours).
      'no-control-regex': 'off',
      // Tests match log lines whose columns are separated by runs of spaces.
      'no-regex-spaces': 'off',
    },
  },
  {
    // The dashboard is plain ES modules the browser loads as they are (no build step).
    files: ['adapters/local/runtime/dashboard/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      // Tests read parsed YAML and JSON documents of any shape.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);

// ESLint enforces the architecture of docs/design.md: imports point one way
// (core <- sim <- reports <- scenarios) and core/ and sim/ stay deterministic.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const timers = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval',
  'clearImmediate', 'queueMicrotask'];
const why = 'is banned here: runs must be reproducible from the seed (docs/design.md, "Determinism")';

const bannedGlobals = (names) => names.map((name) => ({ name, message: `${name} ${why}` }));
const ambientTime = [...bannedGlobals(['Date', 'performance', ...timers])];
const ambientProperties = [
  { object: 'Math', property: 'random', message: `Math.random ${why}` },
  { object: 'process', property: 'hrtime', message: `process.hrtime ${why}` },
  { object: 'globalThis', property: 'Date', message: `Date ${why}` },
  { object: 'globalThis', property: 'performance', message: `performance ${why}` },
];
const upward = (folders) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
  message: 'imports point one way: core <- sim <- reports <- scenarios (docs/design.md, "Layering")',
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/runs/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...ambientTime,
        ...bannedGlobals(['process', 'console', 'require', 'Buffer'])],
      'no-restricted-properties': ['error', ...ambientProperties],
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^node:', message: 'core/ does no I/O: no node:* modules (docs/design.md, "Layering")' },
          { regex: '^(?!\\.{1,2}/)', message: 'core/ imports nothing outside core/ (docs/design.md, "Layering")' },
          upward(['sim', 'reports', 'scenarios']),
        ],
      }],
    },
  },
  {
    files: ['sim/**/*.ts'],
    ignores: ['sim/**/*.test.ts', 'sim/clock.ts', 'sim/random.ts'],
    rules: {
      'no-restricted-globals': ['error', ...ambientTime, ...bannedGlobals(['process', 'console'])],
      'no-restricted-properties': ['error', ...ambientProperties],
    },
  },
  {
    files: ['sim/**/*.ts'],
    ignores: ['sim/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^node:', message: 'sim/ does no I/O: no node:* modules (docs/design.md, "Layering")' },
          { regex: '^\\.\\./core/(?!index\\.ts$)', message: 'sim/ reaches core only through core/index.ts (docs/design.md, "Layering")' },
          upward(['reports', 'scenarios']),
        ],
      }],
    },
  },
  {
    files: ['reports/**/*.ts', 'reports/**/*.tsx'],
    ignores: ['reports/**/*.test.ts', 'reports/**/*.test.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^\\.\\./(\\.\\./)*core/(?!index\\.ts$)', message: 'reports/ reaches core only through core/index.ts (docs/design.md, "Layering")' },
          upward(['scenarios']),
        ],
      }],
    },
  },
);

// Layering is declared here so it cannot rot (see ../shared/STYLE.md, convention 1):
//   shared/   imports no Node, DOM-only, Electron, React or Dexie code, and nothing from electron/ or renderer/
//   renderer/ imports no Node built-ins and nothing from electron/
//   electron/preload imports nothing from electron/main
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'crypto',
  'child_process',
  'http',
  'https',
  'net',
  'stream',
  'stream/*',
  'url',
  'util',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'release/',
      '.tsbuild/',
      'test-results/',
      'bench-results/',
      'renderer/public/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // Index reads are typed without undefined (no noUncheckedIndexedAccess, which would flood typed-array
      // kernels with checks); a `!` there documents an invariant, so it is not "unnecessary".
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: false, program: null },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-console': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    // Tests beside shared code, and their fixtures, may start reference tools (NetworkX, age) with Node.
    ignores: ['shared/**/*.test.ts', 'shared/**/fixtures/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...nodeBuiltins,
                'electron',
                'react',
                'react-*',
                'dexie',
                'dexie-*',
                'cytoscape*',
              ],
              message: 'shared/ is pure TypeScript: no Node, Electron, React, Dexie or Cytoscape.',
            },
            {
              group: ['**/electron/**', '**/renderer/**'],
              message: 'shared/ imports neither side.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, 'electron'],
              message: 'renderer/ runs in a sandbox: no Node, no Electron.',
            },
            {
              group: ['**/electron/**'],
              message: 'renderer/ reaches electron/ only through the service contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', '**/services/**'], message: 'the preload is a bridge only.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'electron/cli/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
      'e2e/**/*.ts',
      'fuzz/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  // Cytoscape sits behind its adapter (STYLE.md item 7, issue 9): only the adapter and the files
  // named after it import Cytoscape. (The typescript-eslint rule, so this zone adds to the
  // no-restricted-imports zones above instead of replacing them.)
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['renderer/chart/cytoscapeAdapter*.ts', 'renderer/chart/cytoscape-svg.d.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['cytoscape', 'cytoscape-*', 'react-cytoscapejs'],
              message:
                'Only renderer/chart/cytoscapeAdapter*.ts talk to Cytoscape: add a method there.',
            },
          ],
        },
      ],
    },
  },
);

// Layering is declared here so it cannot rot (see ../shared/STYLE.md, convention 1):
//   shared/   imports no Node, DOM-only, Electron, React or Dexie code, and nothing from electron/ or renderer/
//   renderer/ imports no Node built-ins and nothing from electron/
//   electron/preload imports nothing from electron/main
//   electron/services, electron/web, electron/cli import no Electron and none of their callers
//   bench/ and e2e/ drive the app from outside (web host, services, shared/, renderer/db only)
// Cycles between folders are checked by scripts/folderCycles.test.ts (convention 13).
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

// Every renderer zone repeats these: a later block's no-restricted-imports replaces an earlier one's.
const rendererPatterns = [
  {
    group: [...nodeBuiltins, 'electron'],
    message: 'renderer/ runs in a sandbox: no Node, no Electron.',
  },
  {
    group: ['**/electron/**'],
    message: 'renderer/ reaches electron/ only through the service contract.',
  },
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
      'no-restricted-imports': ['error', { patterns: rendererPatterns }],
    },
  },
  {
    // The shell (renderer/app) composes the features; nothing below it imports it back
    // (convention 13). Features share renderer/core (context, commands, dialogs) and renderer/db.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: [
      'renderer/app/**',
      'renderer/main.tsx',
      'renderer/**/*.test.ts',
      'renderer/**/*.test.tsx',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererPatterns,
            { regex: '^(\\.\\./)+app/', message: 'only the shell imports renderer/app.' },
          ],
        },
      ],
    },
  },
  {
    // The core sits under every feature, so it may import only the store and shared/.
    files: ['renderer/core/**/*.ts', 'renderer/core/**/*.tsx'],
    ignores: ['renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererPatterns,
            {
              regex: '^\\.\\./(?!db/|\\.\\./shared/)',
              message: 'renderer/core imports only renderer/db and shared/, never a feature.',
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
    // Services are plain Node classes shared by the window, the web host and the CLI: none of them
    // may reach back into its callers, and none may need Electron (the web host and CLI run without it).
    files: ['electron/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^electron(/|$)',
              message: 'services run under plain Node too (web host, CLI): no Electron.',
            },
            {
              group: ['**/main/**', '**/preload/**', '**/web/**', '**/cli/**', '**/renderer/**'],
              message: 'services are called by main, the web host and the CLI; they import none.',
            },
          ],
        },
      ],
    },
  },
  {
    // The loopback web host serves the same contract as the window without Electron; it shares
    // main's content security policy (a constant file with no imports) and nothing else of main.
    files: ['electron/web/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^electron(/|$)',
              message: 'the web host runs under plain Node: no Electron.',
            },
            {
              regex: '(^|/)(main/(?!policy\\.ts$)|preload/|cli/)',
              message: 'the web host uses services and the contract; of main only policy.ts.',
            },
            {
              group: ['**/renderer/**'],
              message: 'the web host serves the built renderer; it imports none of its code.',
            },
          ],
        },
      ],
    },
  },
  {
    // The command line works on case files and bundles with the services, headless.
    files: ['electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^electron(/|$)',
              message: 'the CLI runs under plain Node: no Electron.',
            },
            {
              group: ['**/main/**', '**/preload/**', '**/web/**', '**/renderer/**'],
              message: 'the CLI uses services and shared/ only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Benchmarks and end-to-end tests drive the app from outside: through the web host and a
    // browser, with the services and shared/ for fixtures. The renderer's store (renderer/db) is
    // bundled into the browser-side benchmark and typed by the e2e hook, so it is open, with the
    // pure entity-table model the storage benchmark uses to reach a case's first table page, and
    // the import wizard's pipeline and XLSX reader the import benchmark runs (issue 11), and the
    // chart's pure view model and overview scene the million benchmark builds (issue 13).
    files: ['bench/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^electron(/|$)',
              message: 'benchmarks and e2e tests drive the web host; no Electron.',
            },
            {
              group: ['**/electron/main/**', '**/electron/preload/**', '**/electron/cli/**'],
              message: 'drive the app through the web host, not the window or the CLI internals.',
            },
            {
              regex:
                '(^|/)renderer/(?!db/|entity/(tableModel|tableColumns|textOrder)\\.ts$|import/(pipeline|xlsxRows)\\.ts$|chart/(chartModel|combinedElements|chartOverlay|parallelLinks|overview/(overviewScene|activityOrder|caseLinks))\\.ts$)',
              message:
                'the UI is driven in the browser; of renderer/ only the store, the pure table model the benchmarks sort and page with, the import pipeline the import benchmark runs and the pure chart model and overview scene are shared.',
            },
          ],
        },
      ],
    },
  },
  {
    // The million bench's views page (issue 13) renders the real entity table and timeline in
    // Chromium on a million records, so it may import those components; still no Electron.
    files: ['bench/million/views-page/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^electron(/|$)', message: 'the page runs in a browser.' }] },
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

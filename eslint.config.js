// Lint: strict typing plus the direction of imports between layers (see docs/architecture.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers and what each may NOT import. Lower layers never reach up. */
const forbidden = {
  spec: ['app', 'insights', 'config', 'policy', 'limits', 'audit', 'safety', 'eval', 'eval-run', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability', 'dev'],
  policy: ['app', 'config', 'limits', 'audit', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability'],
  limits: ['app', 'config', 'policy', 'audit', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability'],
  pii: ['app', 'config', 'policy', 'limits', 'audit', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability'],
  audit: ['app', 'config', 'policy', 'limits', 'pii', 'safety', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability'],
  safety: ['app', 'config', 'policy', 'limits', 'pii', 'audit', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability'],
  // nara eval: scoring and statistics (pure), then the runner, loaders and reports around them.
  eval: ['app', 'config', 'policy', 'limits', 'pii', 'audit', 'safety', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability', 'eval-run'],
  'eval-run': ['app', 'policy', 'limits', 'pii', 'audit', 'safety', 'backends', 'gateway', 'store', 'admin', 'server', 'cli', 'observability'],
  // What the console shows, computed from audit events (pure: counts and percentiles, no I/O).
  insights: ['app', 'config', 'policy', 'limits', 'pii', 'audit', 'safety', 'eval', 'eval-run', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability'],
  config: ['app', 'limits', 'backends', 'tokenizers', 'gateway', 'store', 'admin', 'server', 'cli', 'observability'],
  backends: ['app', 'gateway', 'tokenizers', 'store', 'admin', 'server', 'cli', 'observability', 'policy', 'limits'],
  tokenizers: ['app', 'gateway', 'backends', 'store', 'admin', 'server', 'cli', 'observability', 'policy', 'limits'],
  store: ['app', 'gateway', 'admin', 'server', 'cli', 'backends', 'tokenizers', 'observability'],
  gateway: ['app', 'server', 'cli', 'store', 'admin', 'backends', 'tokenizers', 'observability'],
  admin: ['app', 'server', 'cli', 'gateway', 'backends', 'tokenizers', 'observability'],
  observability: ['app', 'server', 'cli', 'store', 'admin', 'backends', 'tokenizers'],
  server: ['app', 'cli', 'store', 'backends', 'tokenizers'],
  app: ['cli'],
};

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((target) => ({
          group: [`**/${target}/*`, `../${target}`, `../../${target}`],
          message: `src/${layer} must not import src/${target}: imports point down the layers (docs/architecture.md).`,
        })),
      },
    ],
  },
}));

/**
 * Pure domain modules import no HTTP, database or engine library. One entry per layer, each carrying
 * that layer's own banned imports: a later entry's no-restricted-imports replaces an earlier one's
 * for the same files, so a shared list here would silently drop the layer rules above.
 */
const domainLayers = ['policy', 'spec', 'limits', 'pii', 'audit', 'safety', 'eval', 'insights'];
const pureDomain = domainLayers.map((layer) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [
          ...['undici', 'node:http', 'node:https', 'node:fs', 'node-llama-cpp', 'pino', 'prom-client'].map((name) => ({
            name,
            message: 'Domain modules stay free of I/O libraries.',
          })),
          // node:net's address helpers (BlockList, isIP) are pure; its sockets are not.
          { name: 'node:net', importNames: ['Socket', 'Server', 'connect', 'createConnection', 'createServer'], message: 'Domain modules open no sockets.' },
        ],
        patterns: forbidden[layer].map((target) => ({
          group: [`**/${target}/*`, `../${target}`, `../../${target}`],
          message: `src/${layer} must not import src/${target}: domain modules import only downwards (docs/architecture.md).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '.nara/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
  ...pureDomain,
  {
    // The console runs in the browser and talks to Nara only over HTTP: it may share the API's types
    // (src/spec, type-only imports) and nothing else of the server.
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', fetch: 'readonly', crypto: 'readonly', localStorage: 'readonly', sessionStorage: 'readonly', location: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', requestAnimationFrame: 'readonly', performance: 'readonly', atob: 'readonly', btoa: 'readonly', HTMLElement: 'readonly', HTMLInputElement: 'readonly', KeyboardEvent: 'readonly', ResizeObserver: 'readonly', Response: 'readonly', Headers: 'readonly', RequestInit: 'readonly' },
    },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./){2,}src/(?!spec/)',
              message: 'The console talks to Nara over HTTP only: import nothing of src/ but the API types in src/spec (import type).',
            },
          ],
        },
      ],
    },
  },
);

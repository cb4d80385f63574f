import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sourceAliases } from './src/source-aliases.js';

const root = fileURLToPath(new URL('.', import.meta.url));
// The package's entries resolve to their source files (tsconfig.json's `paths`, the one list of
// entries, as the builds from the repository read it). Longer names first: an alias also
// matches what starts with it and a slash.
const alias = Object.fromEntries(Object.entries(sourceAliases(import.meta.url) ?? {}).sort(([a], [b]) => b.length - a.length));

// One conformance project per adapter folder with a *.conformance.test.ts (in its testing/
// folder), plus the third-party example adapter: each runs the same suite against itself.
const conformanceDirs = [
  ...readdirSync(`${root}adapters`, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `adapters/${d.name}`),
  'examples/custom-adapter',
].filter((dir) => [dir, `${dir}/testing`].some((d) => existsSync(`${root}${d}`) && readdirSync(`${root}${d}`).some((f) => f.endsWith('.conformance.test.ts'))));

export default defineConfig({
  resolve: { alias },
  test: {
    // Most suites wait on child processes, sockets and timers rather than the CPU: three
    // files at a time took the suite from 8.5 to 4.6 minutes on a 2-core machine (vitest's
    // default there is one), which keeps .ci/run's three Node versions in its time limit.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{src,adapters,conformance,examples,bench}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts', '**/*.conformance.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{src,adapters,conformance,examples}/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      ...conformanceDirs.map((dir) => ({
        extends: true as const,
        test: {
          name: `conformance:${dir
            .split('/')
            .pop()!
            .replace(/^custom-adapter$/, 'custom')}`,
          include: [`${dir}/**/*.conformance.test.ts`],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      })),
      {
        // The HTTP suites once more with both undici fast paths off (the lazy Lambda Request,
        // the light Response): what runs when a Node upgrade fails their probes at load.
        extends: true,
        test: {
          name: 'standard-path',
          env: { FAASPORT_LAZY_REQUEST: '0', FAASPORT_LIGHT_RESPONSE: '0' },
          include: [
            'src/light-response.test.ts',
            'adapters/aws/runtime/{http,lazy-headers,encode-light,handlers,bad-input,fuzz}.test.ts',
            'adapters/local/runtime/serve-answers.int.test.ts',
            ...conformanceDirs.map((dir) => `${dir}/**/*.conformance.test.ts`),
          ],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

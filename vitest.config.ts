import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const alias = {
  'faasport/local': `${root}adapters/local/index.ts`,
  'faasport/aws': `${root}adapters/aws/index.ts`,
  'faasport/azure': `${root}adapters/azure/index.ts`,
  'faasport/gcp': `${root}adapters/gcp/index.ts`,
  // The longer names first: an alias also matches what starts with it and a slash.
  'faasport/container/aws': `${root}adapters/container/aws.ts`,
  'faasport/container/gcp': `${root}adapters/container/gcp.ts`,
  'faasport/container/azure': `${root}adapters/container/azure.ts`,
  'faasport/container': `${root}adapters/container/index.ts`,
  'faasport/conformance': `${root}conformance/index.ts`,
  faasport: `${root}src/index.ts`,
};

// One conformance project per adapter folder that has a *.conformance.test.ts, plus the
// third-party example adapter: each runs the same suite against itself.
const conformanceDirs = [
  ...readdirSync(`${root}adapters`).map((d) => `adapters/${d}`),
  'examples/custom-adapter',
].filter((dir) => existsSync(`${root}${dir}`) && readdirSync(`${root}${dir}`).some((f) => f.endsWith('.conformance.test.ts')));

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
          name: `conformance:${dir.split('/').pop()!.replace(/^custom-adapter$/, 'custom')}`,
          include: [`${dir}/**/*.conformance.test.ts`],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      })),
    ],
  },
});

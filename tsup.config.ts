import { cpSync, existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const entries: Record<string, string> = {
  index: 'src/index.ts',
  cli: 'src/cli.ts',
  local: 'adapters/local/index.ts',
  conformance: 'conformance/index.ts',
  aws: 'adapters/aws/index.ts',
  azure: 'adapters/azure/index.ts',
  gcp: 'adapters/gcp/index.ts',
  container: 'adapters/container/index.ts',
  'container-aws': 'adapters/container/aws.ts',
  'container-gcp': 'adapters/container/gcp.ts',
  'container-azure': 'adapters/container/azure.ts',
};

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string> | undefined>;
// Nothing from node_modules is bundled. tsup keeps dependencies and peers external but bundles
// devDependencies: the emulators the conformance harnesses start (fauxqs, azurite) and their
// CommonJS trees then landed in a 1.8 MB chunk that failed with `Dynamic require of "events"`.
// Whatever the package needs at run time is a dependency or an (optional) peer, and loads from
// the user's node_modules.
const packages = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(pkg[field] ?? {}));
const external = [...new Set(packages)].map((name) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:/|$)`));

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  // The maps carry the sources (sourcesContent): the package ships no .ts files, and a stack
  // through a map must still show the line.
  sourcemap: true,
  clean: true,
  splitting: true,
  external,
  // The dev dashboard's static files (plain ES modules and CSS, no build step) ship as they are,
  // beside the chunks: adapters/local/dashboard.ts finds them at ./dashboard/ in both layouts.
  onSuccess: async () => {
    cpSync('adapters/local/dashboard', 'dist/dashboard', { recursive: true });
  },
});

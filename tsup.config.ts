import { cpSync, existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One list of package entries: tsconfig.json's `paths` (`faasport/aws/target` ->
// adapters/aws/target/index.ts), which also resolve them from source in the editor, tsx and
// vitest. Each becomes dist/<name>.js (`aws-target.js`); package.json `exports` names the same
// files (a test holds the three together).
const { compilerOptions } = JSON.parse(readFileSync('tsconfig.json', 'utf8')) as { compilerOptions: { paths: Record<string, [string]> } };
const entries: Record<string, string> = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([name, [file]]) => [name === 'faasport' ? 'index' : name.slice('faasport/'.length).replace(/\//g, '-'), file]),
);
entries.cli = 'src/cli.ts';

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
  // beside the chunks: adapters/local/runtime/dashboard.ts finds them at ./dashboard/ in both layouts.
  onSuccess: async () => {
    cpSync('adapters/local/runtime/dashboard', 'dist/dashboard', { recursive: true });
  },
});

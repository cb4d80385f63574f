import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { targetOf } from 'faasport';

// Each adapter folder is laid out by when its code runs (README "Layout"):
//   index.ts   the runtime entry, faasport/<name>     runtime/  what ships in the function bundle
//   target/    build, infrastructure, deploy          dev/      what `faasport dev` serves for it
//   testing/   the conformance harness and its emulators
// These tests hold the rules that make the folder names true, on every non-test file.
const repo = fileURLToPath(new URL('..', import.meta.url));
const ADAPTERS = ['aws', 'azure', 'gcp', 'local', 'container'] as const;
const LIFETIMES = ['runtime', 'target', 'dev', 'testing'];
/** The core's public entries: what a third party's adapter can import too. */
const PUBLIC_CORE = new Set(['faasport', 'faasport/adapter-kit']);
/** Another adapter's runtime entry (the container runs the clouds' decoders and the local runtime). */
const RUNTIME_ENTRY = /^faasport\/(aws|azure|gcp|local)$/;

/** The faasport entries code of one lifetime may import: the core, runtimes, and entries of its own lifetime. */
function entryAllowed(lifetime: string, specifier: string): boolean {
  if (PUBLIC_CORE.has(specifier) || RUNTIME_ENTRY.test(specifier)) return true;
  if (lifetime === 'runtime') return false;
  if (lifetime === 'testing' && specifier === 'faasport/conformance') return true;
  return new RegExp(`^faasport/(aws|azure|gcp|local|container)/${lifetime}$`).test(specifier);
}
const NODE = new Set(builtinModules);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
const isTest = (file: string) => file.endsWith('.test.ts');
const shipped = (dir: string) => (existsSync(dir) ? tsFiles(dir).filter((f) => !isTest(f)) : []);

/** Every module specifier of a file: static imports and re-exports, `import()`, `typeof import()`. */
function specifiers(file: string, code = readFileSync(file, 'utf8')): string[] {
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}

/** runtime, target, dev or testing: the folder under adapters/<name>/ (an entry file counts as runtime; a third party's folder as testing, its widest). */
function lifetimeOf(file: string): string {
  const parts = relative(repo, file).split(sep);
  if (parts[0] !== 'adapters') return 'testing';
  return LIFETIMES.includes(parts[2]!) ? parts[2]! : 'runtime';
}
const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);
const isNode = (s: string) => s.startsWith('node:') || NODE.has(s);
const isThirdParty = (s: string) => !s.startsWith('.') && !s.startsWith('/') && !isNode(s) && s !== 'faasport' && !s.startsWith('faasport/');

/**
 * The imports of `files` that break a folder's rule: a relative import that leaves `home`, or a
 * faasport entry other than the public core's. Node built-ins and third-party packages (the
 * clouds' SDKs, optional peers) are allowed everywhere.
 */
function breaches(files: readonly string[], home: string, code?: string): string[] {
  return files.flatMap((file) =>
    specifiers(file, code)
      .filter((s) => {
        // A vendor sample bundled as data (the harness's SNS event) is not code of ours.
        if (s.startsWith('.') && s.endsWith('.json') && inside(resolve(dirname(file), s), join(repo, 'conformance', 'fixtures'))) return false;
        if (s.startsWith('.')) return !inside(resolve(dirname(file), s), home);
        if (isNode(s) || isThirdParty(s)) return false;
        return !entryAllowed(lifetimeOf(file), s);
      })
      .map((s) => `${relative(repo, file)} imports ${s}`),
  );
}

describe('adapter layout by lifetime', () => {
  it.each(ADAPTERS)('%s: only runtime/, target/, dev/, testing/ and entry files, and every lifetime folder holds code', (name) => {
    const dir = join(repo, 'adapters', name);
    const folders = readdirSync(dir).filter((e) => statSync(join(dir, e)).isDirectory());
    expect(folders.filter((f) => !LIFETIMES.includes(f))).toEqual([]);
    expect(folders).toEqual(expect.arrayContaining(['runtime', 'target', 'testing']));
    for (const f of folders) expect(shipped(join(dir, f)).length, `${name}/${f}`).toBeGreaterThan(0);
    // At the top: entries (index.ts; the container's per-cloud runtime entries) and a README.
    const loose = readdirSync(dir).filter((e) => !folders.includes(e) && !/^(index|aws|azure|gcp)\.ts$|^README\.md$/.test(e));
    expect(loose).toEqual([]);
  });

  it.each(ADAPTERS)('%s/runtime imports only the public faasport API (faasport, faasport/adapter-kit), itself, Node and packages', (name) => {
    const runtime = join(repo, 'adapters', name, 'runtime');
    const files = shipped(runtime);
    expect(files.length).toBeGreaterThan(3);
    expect(breaches(files, runtime)).toEqual([]);
  });

  it.each(ADAPTERS)('%s: the runtime entry (index.ts) re-exports runtime/ only', (name) => {
    const dir = join(repo, 'adapters', name);
    const entries = readdirSync(dir)
      .filter((e) => /^(index|aws|azure|gcp)\.ts$/.test(e))
      .map((e) => join(dir, e));
    expect(breaches(entries, join(dir, 'runtime'))).toEqual([]);
  });

  it.each(ADAPTERS)('%s/target, dev and testing reach the core through its public entries only, and no other adapter', (name) => {
    const dir = join(repo, 'adapters', name);
    const files = ['target', 'dev', 'testing'].flatMap((f) => shipped(join(dir, f)));
    expect(breaches(files, dir)).toEqual([]);
  });

  it('runtime/ never imports target/, dev/ or testing/ (what a function bundle would carry)', () => {
    const out = ADAPTERS.flatMap((name) =>
      shipped(join(repo, 'adapters', name, 'runtime')).flatMap((file) =>
        specifiers(file)
          .filter((s) => s.startsWith('.') && /(^|\/)(target|dev|testing)(\/|$)/.test(relative(join(repo, 'adapters', name), resolve(dirname(file), s))))
          .map((s) => `${relative(repo, file)} imports ${s}`),
      ),
    );
    expect(out).toEqual([]);
  });

  it("the rule check sees what it must: a path out of runtime/, another lifetime's entry, src/ by path; and lets another adapter's runtime entry through", () => {
    const runtime = join(repo, 'adapters', 'aws', 'runtime');
    const probe = join(runtime, 'probe.ts');
    const code = [
      "import { a } from '../target/build.js';",
      "import { b } from '../../../src/light-response.js';",
      "import { c } from 'faasport/aws/testing';",
      "import { h } from 'faasport/gcp';",
      "import { d } from './names.js';",
      "import { e } from 'faasport/adapter-kit';",
      "import { f } from '@aws-sdk/client-sqs';",
      "import { g } from 'node:fs';",
    ].join('\n');
    expect(specifiers(probe, code)).toHaveLength(8);
    const found = breaches([probe], runtime, code);
    expect(found).toEqual([
      'adapters/aws/runtime/probe.ts imports ../target/build.js',
      'adapters/aws/runtime/probe.ts imports ../../../src/light-response.js',
      'adapters/aws/runtime/probe.ts imports faasport/aws/testing',
    ]);
  });

  it('examples/custom-adapter, a third party, uses the same public entries as the built-ins', () => {
    const dir = join(repo, 'examples', 'custom-adapter');
    expect(breaches(shipped(dir), dir)).toEqual([]);
  });
});

describe('one contract: every built-in is a defineTarget object behind its target entry', () => {
  it.each(ADAPTERS)('faasport/%s/target exports `target`: the adapter, a harness loaded on demand, expected failures', async (name) => {
    const mod = (await import(`faasport/${name}/target`)) as Record<string, unknown>;
    const target = targetOf(mod, name);
    expect(mod.target).toBe(target);
    expect(target.adapter.name).toBe(name);
    expect(typeof target.conformanceHarness).toBe('function');
    expect(Array.isArray(target.expectedFailures)).toBe(true);
    if (name !== 'local') expect(typeof target.build).toBe('function');
    if (['aws', 'azure', 'gcp'].includes(name)) expect(typeof target.deploy).toBe('function');
    const harness = await target.conformanceHarness!();
    expect(harness.adapter.name).toBe(name);
  });

  it('the CLI resolves a built-in name to that same object, as it resolves a module path', async () => {
    const { resolveTarget } = await import('../src/composition-root.js');
    for (const name of ADAPTERS) expect(await resolveTarget(name, repo)).toBe(((await import(`faasport/${name}/target`)) as { target: unknown }).target);
    const custom = await resolveTarget('./examples/custom-adapter', repo);
    expect(custom.adapter.name).toBe('knative');
  });
});

describe('one list of package entries', () => {
  const { compilerOptions } = JSON.parse(readFileSync(join(repo, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, [string]> } };
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, { import: string; types: string } | string> };

  it('package.json exports are tsconfig.json paths, each built to dist/<name>.js', () => {
    const fromPaths = Object.keys(compilerOptions.paths).map((name) => {
      const sub = name === 'faasport' ? '.' : `./${name.slice('faasport/'.length)}`;
      const file = name === 'faasport' ? 'index' : name.slice('faasport/'.length).replace(/\//g, '-');
      return [sub, { types: `./dist/${file}.d.ts`, import: `./dist/${file}.js` }] as const;
    });
    expect(Object.fromEntries(Object.entries(pkg.exports).filter(([k]) => k !== './package.json'))).toEqual(Object.fromEntries(fromPaths));
    for (const [, [file]] of Object.entries(compilerOptions.paths)) expect(existsSync(join(repo, file)), file).toBe(true);
  });

  it('every adapter lifetime folder with an index.ts is an entry: faasport/<adapter>/<lifetime>', () => {
    for (const name of ADAPTERS) {
      for (const lifetime of ['target', 'dev', 'testing']) {
        const index = join('adapters', name, lifetime, 'index.ts');
        if (existsSync(join(repo, index))) expect(compilerOptions.paths[`faasport/${name}/${lifetime}`], index).toEqual([`./${index}`]);
      }
      expect(compilerOptions.paths[`faasport/${name}`]).toEqual([`./adapters/${name}/index.ts`]);
    }
  });
});

describe('the adapter kit is what README "Writing an adapter" says', () => {
  it('every function or class the section names is exported by faasport/adapter-kit', async () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**The runtime half**'), readme.indexOf('**The harness**'));
    expect(section.length).toBeGreaterThan(500);
    const kit = (await import('faasport/adapter-kit')) as Record<string, unknown>;
    // Backticked names that are types, fields, callbacks or values of the example, not exports.
    const notExports = new Set([
      'Transport',
      'Response',
      'CliStep',
      'parentTrace',
      'returnsToQueue',
      'undefined',
      'target',
      'adapter',
      'build',
      'deploy',
      'expectedFailures',
      'ifDeadLetterFails',
    ]);
    const named = [...section.matchAll(/`([A-Za-z][A-Za-z]+)`/g)].map((m) => m[1]!).filter((n) => !notExports.has(n));
    expect(named.length).toBeGreaterThan(15);
    expect([...new Set(named)].filter((n) => !(n in kit))).toEqual([]);
  });
});

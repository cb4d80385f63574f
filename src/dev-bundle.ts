import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin, PartialMessage } from 'esbuild';
import { FaasportError } from './errors.js';
import { importFailure, pickApp, type LoadedApp } from './load-app.js';

/** One load of the app: the app and the files it was built from (what `faasport dev` watches). */
export interface AppBundle {
  readonly loaded: LoadedApp;
  /** Absolute paths of the app's own source files (never node_modules or faasport's). */
  readonly files: readonly string[];
}

export interface AppBundler {
  /** Builds the entry and its own imports afresh and imports the result. Throws a FaasportError naming the file and the first error. */
  load(): Promise<AppBundle>;
}

// faasport's own code (src/, adapters/, conformance/ in the repository; dist/ when installed)
// stays external like node_modules: the app and the dev server must share one copy of it.
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const OWN_FOLDERS = ['src', 'adapters', 'conformance', 'dist'].map((d) => join(PACKAGE_ROOT, d) + sep);
const SKIP = Symbol('faasport-dev-resolved');

const isShared = (path: string): boolean => path.includes(`${sep}node_modules${sep}`) || OWN_FOLDERS.some((d) => path.startsWith(d));

/**
 * Loads an app so that it can be loaded again after an edit. Node never re-evaluates an ES
 * module it has imported (a query string busts only the entry, not what it imports), so each
 * load bundles the entry and the app's own imports with esbuild into a new file and imports
 * that. Packages (node_modules) and faasport itself stay external, resolved to their files as
 * Node resolves them, so they remain one shared copy across reloads. The bundle carries an
 * inline source map: with source maps enabled, stacks name the app's own files and lines.
 *
 * @example
 * ```ts
 * import { createAppBundler } from './dev-bundle.js';
 * const bundler = createAppBundler('/abs/app.ts', process.cwd());
 * const { loaded, files } = await bundler.load();
 * console.log(loaded.app.functions.length, files);
 * ```
 */
export function createAppBundler(entry: string, cwd: string): AppBundler {
  let count = 0;
  const stem = basename(entry, extname(entry));
  return {
    async load() {
      const { build } = await import('esbuild');
      // A folder per load, gone once the module is imported: Node holds the evaluated module (and its map).
      const dir = mkdtempSync(join(tmpdir(), 'faasport-dev-'));
      const outfile = join(dir, `${stem}-${++count}.mjs`);
      let files: string[];
      try {
        const result = await build({
          entryPoints: [entry],
          absWorkingDir: cwd,
          bundle: true,
          platform: 'node',
          format: 'esm',
          target: `node${process.versions.node.split('.')[0]}`,
          outfile,
          sourcemap: 'inline',
          sourcesContent: false,
          metafile: true,
          // Node's own conditions ("import", "node", "default"), not esbuild's extra "module".
          conditions: [],
          mainFields: ['main'],
          logLevel: 'silent',
          plugins: [sharedExternal(), ownImportMeta()],
        });
        files = Object.keys(result.metafile.inputs)
          .filter((f) => !/^[a-z-]+:/.test(f))
          .map((f) => resolve(cwd, f));
      } catch (err) {
        rmSync(dir, { recursive: true, force: true });
        throw buildFailure(err, entry, cwd);
      }
      try {
        const mod = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
        return { loaded: pickApp(mod, entry), files };
      } catch (err) {
        throw importFailure(err, entry);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Packages and faasport stay external, as the file URL Node would load; a package esbuild cannot find stays a bare import, for Node's own error. */
function sharedExternal(): Plugin {
  return {
    name: 'faasport-dev-shared',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === SKIP || args.namespace !== 'file') return undefined;
        const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: SKIP });
        const bare = !/^(?:[./]|[A-Za-z]:[\\/]|file:)/.test(args.path);
        if (found.errors.length > 0) return bare ? { path: args.path, external: true } : { errors: found.errors };
        if (found.external) return { path: found.path, external: true };
        if (isShared(found.path)) return { path: pathToFileURL(found.path).href, external: true };
        return { path: found.path, ...(found.sideEffects === false ? { sideEffects: false } : {}) };
      });
    },
  };
}

const LOADERS: Record<string, 'ts' | 'tsx' | 'js' | 'jsx'> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' };

/** `import.meta.url` (and dirname, filename) of a bundled file keep naming that file, not the bundle. */
function ownImportMeta(): Plugin {
  return {
    name: 'faasport-dev-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.')) return undefined;
        const values: Record<string, string> = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path };
        const contents = source.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, key: string) => JSON.stringify(values[key]));
        return { contents, loader: LOADERS[extname(args.path)] ?? 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** esbuild's first error as one line: file:line:column and its text. */
function buildFailure(err: unknown, entry: string, cwd: string): FaasportError {
  const first = (err as { errors?: PartialMessage[] })?.errors?.[0];
  if (!first) return importFailure(err, entry);
  const at = first.location;
  const file = at?.file ? resolve(cwd, at.file) : entry;
  const where = at ? `${file}:${at.line ?? 0}:${at.column ?? 0}` : file;
  return new FaasportError('CONFIG_INVALID', `load app: ${where}: ${first.text ?? 'build failed'}`, {
    cause: err,
    details: { file, line: at?.line, column: at?.column },
  });
}

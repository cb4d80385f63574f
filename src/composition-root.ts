import { Container } from 'inversify';
import { isAbsolute, resolve } from 'node:path';
import { existsSync, statSync, readFileSync } from 'node:fs';
import { FaasportError } from './errors.js';
import { fromModuleNotFound } from './required-packages.js';
import { importModule, loadApp, type LoadedApp } from './load-app.js';
import { importEntry, type PackageEntry } from './package-entry.js';
import { targetOf, type Target } from './target.js';

/** Tokens of the composition root. Only the CLI, dev server and conformance runner use the container. */
export const TOKENS = {
  Cwd: Symbol.for('faasport.cwd'),
  Output: Symbol.for('faasport.output'),
  AppLoader: Symbol.for('faasport.appLoader'),
  TargetResolver: Symbol.for('faasport.targetResolver'),
} as const;

export interface Output {
  line(text: string): void;
  error(text: string): void;
}

export type AppLoader = (path: string) => Promise<LoadedApp>;
export type TargetResolver = (target: string) => Promise<Target>;

/**
 * The built-in targets: each one's `target/` package entry (`faasport/aws/target`), imported by
 * name when asked for, like a third party's package, and read the same way (its `target`
 * export, made with defineTarget). `faasport dev` never loads a cloud adapter it does not use,
 * and a deployed bundle never contains a target.
 */
export const BUILTIN_TARGETS: Readonly<Record<string, PackageEntry>> = {
  local: 'local/target',
  aws: 'aws/target',
  azure: 'azure/target',
  gcp: 'gcp/target',
  container: 'container/target',
};

/**
 * Resolves `--target` / `--adapter`: a built-in name, a path to a module or folder, or an
 * installed package name. The module must export `target` made with defineTarget(), or
 * `adapter` (and `build` to be built).
 */
export async function resolveTarget(target: string, cwd: string): Promise<Target> {
  let mod: Record<string, unknown>;
  const builtin = BUILTIN_TARGETS[target];
  if (builtin) {
    mod = await importEntry<Record<string, unknown>>(builtin).catch((err: unknown) => {
      throw fromModuleNotFound(err, `target "${target}"`) ?? err;
    });
  } else if (target.startsWith('.') || isAbsolute(target)) {
    mod = await importModule(moduleFile(resolve(cwd, target)));
  } else {
    try {
      mod = (await import(target)) as Record<string, unknown>;
    } catch (err) {
      throw new FaasportError(
        'CONFIG_INVALID',
        `target "${target}" is not built in (${Object.keys(BUILTIN_TARGETS).join(', ')}), not a path and not an installed package; pass one of those`,
        { cause: err },
      );
    }
  }
  return targetOf(mod, `target "${target}"`);
}

function moduleFile(path: string): string {
  if (existsSync(path) && statSync(path).isFile()) return path;
  if (existsSync(path) && statSync(path).isDirectory()) {
    const pkgPath = resolve(path, 'package.json');
    if (existsSync(pkgPath)) {
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { main?: string; exports?: unknown };
      if (typeof pkg.main === 'string') return resolve(path, pkg.main);
    }
    for (const name of ['index.ts', 'index.mts', 'index.js', 'index.mjs']) {
      if (existsSync(resolve(path, name))) return resolve(path, name);
    }
  }
  throw new FaasportError('CONFIG_INVALID', `target module ${path} not found; pass a file or a folder with index.ts / index.js`);
}

export function createContainer(options: { cwd: string; output: Output }): Container {
  const container = new Container();
  container.bind<string>(TOKENS.Cwd).toConstantValue(options.cwd);
  container.bind<Output>(TOKENS.Output).toConstantValue(options.output);
  container.bind<AppLoader>(TOKENS.AppLoader).toResolvedValue((cwd: string) => (path: string) => loadApp(path, cwd), [TOKENS.Cwd]);
  container.bind<TargetResolver>(TOKENS.TargetResolver).toResolvedValue((cwd: string) => (target: string) => resolveTarget(target, cwd), [TOKENS.Cwd]);
  return container;
}

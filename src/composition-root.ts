import { Container } from 'inversify';
import { isAbsolute, resolve } from 'node:path';
import { existsSync, statSync, readFileSync } from 'node:fs';
import { FaasportError } from './errors.js';
import { fromModuleNotFound } from './required-packages.js';
import { importModule, loadApp, type LoadedApp } from './load-app.js';
import type { TargetModule } from './build.js';

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
export type TargetResolver = (target: string) => Promise<TargetModule>;

/** The built-in targets, loaded lazily: `faasport dev` never loads a cloud adapter it does not use. */
export const BUILTIN_TARGETS: Record<string, () => Promise<TargetModule>> = {
  local: () => import('../adapters/local/index.js') as Promise<TargetModule>,
  aws: () => import('../adapters/aws/index.js') as Promise<TargetModule>,
  azure: () => import('../adapters/azure/index.js') as Promise<TargetModule>,
  gcp: () => import('../adapters/gcp/index.js') as Promise<TargetModule>,
  container: () => import('../adapters/container/index.js') as Promise<TargetModule>,
};

/**
 * Resolves `--target` / `--adapter`: a built-in name, a path to a module or folder, or an
 * installed package name. The module must export `adapter` (and `build` to be built).
 */
export async function resolveTarget(target: string, cwd: string): Promise<TargetModule> {
  let mod: Record<string, unknown>;
  if (BUILTIN_TARGETS[target]) {
    mod = (await BUILTIN_TARGETS[target]().catch((err: unknown) => {
      throw fromModuleNotFound(err, `target "${target}"`) ?? err;
    })) as unknown as Record<string, unknown>;
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
  const adapter = mod.adapter as TargetModule['adapter'] | undefined;
  if (!adapter || typeof adapter.name !== 'string' || typeof adapter.capabilities !== 'object') {
    throw new FaasportError('ADAPTER_INVALID', `target "${target}": the module must export "adapter" made with defineAdapter()`);
  }
  return mod as unknown as TargetModule;
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

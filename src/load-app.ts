import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isApp, type App } from './app.js';
import { FaasportError, isFaasportError } from './errors.js';
import { fromModuleNotFound } from './required-packages.js';

export interface LoadedApp {
  readonly app: App;
  readonly entry: string;
  readonly exportName: string;
}

/** Imports a TypeScript or JavaScript module (tsx handles .ts without a build step). */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (/\.(c|m)?tsx?$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** The absolute path of the app file; CONFIG_INVALID when there is no such file. */
export function appEntry(path: string, cwd = process.cwd()): string {
  const entry = resolve(cwd, path);
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    throw new FaasportError('CONFIG_INVALID', `load app: ${entry} does not exist; pass the file that calls createApp, e.g. "faasport dev src/app.ts"`);
  }
  return entry;
}

/**
 * Loads the module at `path` and returns the app it exports (`app`, `default`, or the only
 * exported app). Errors name the file and what to export.
 */
export async function loadApp(path: string, cwd = process.cwd()): Promise<LoadedApp> {
  const entry = appEntry(path, cwd);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(entry);
  } catch (err) {
    throw importFailure(err, entry);
  }
  return pickApp(mod, entry);
}

/** Why importing the app failed, as a typed error: its own FaasportError, a missing package, or the import's message. */
export function importFailure(err: unknown, entry: string): FaasportError {
  if (isFaasportError(err)) return err;
  return (
    fromModuleNotFound(err, `load app: ${entry}`) ??
    new FaasportError('CONFIG_INVALID', `load app: importing ${entry} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
  );
}

/** The app a loaded module exports: `app`, `default`, or the only exported app. */
export function pickApp(mod: Record<string, unknown>, entry: string): LoadedApp {
  for (const name of ['app', 'default']) {
    if (isApp(mod[name])) return { app: mod[name] as App, entry, exportName: name };
  }
  const apps = Object.entries(mod).filter(([, v]) => isApp(v));
  if (apps.length === 1) return { app: apps[0]![1] as App, entry, exportName: apps[0]![0] };
  throw new FaasportError(
    'CONFIG_INVALID',
    apps.length === 0
      ? `load app: ${entry} exports no app; add "export const app = createApp('name')"`
      : `load app: ${entry} exports several apps (${apps.map(([n]) => n).join(', ')}); export the one to run as "app"`,
  );
}

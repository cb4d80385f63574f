import { performance } from 'node:perf_hooks';
import type { App } from './app.js';
import type { AppBundler } from './dev-bundle.js';
import { isFaasportError, summariseError } from './errors.js';
import { watchFiles } from './watch-files.js';

export interface DevReloadOptions {
  /** Serves the new app (the local runtime's reload); a throw keeps the last good app. */
  readonly apply: (app: App) => void;
  /** The app being served now, to say what a reload added and removed. */
  readonly current: () => App;
  readonly line: (text: string) => void;
  readonly error: (text: string) => void;
  readonly debounceMs?: number;
}

export interface DevReload {
  close(): void;
}

/**
 * `faasport dev`'s reload loop: watches the files the last load was built from and, when one
 * changes, loads the app again and hands it to `apply`. A change that does not build, import
 * or pass the adapter's checks logs one line (code, file, first error) and the last good app
 * keeps serving. Changes during a reload trigger one more reload after it.
 */
export function watchAndReload(bundler: AppBundler, files: readonly string[], options: DevReloadOptions): DevReload {
  let failed = false;
  let lastGood = files;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const reload = async (): Promise<void> => {
    const started = performance.now();
    const before = options.current();
    try {
      const { loaded, files: next } = await bundler.load();
      if (closed) return;
      options.apply(loaded.app);
      watch.update(next);
      lastGood = next;
      failed = false;
      const ms = Math.round(performance.now() - started);
      options.line(`faasport dev: reloaded app (${loaded.app.functions.length} functions) in ${ms} ms${describeChange(before, loaded.app)}`);
    } catch (err) {
      if (closed) return;
      failed = true;
      const file = isFaasportError(err) ? err.details?.file : undefined;
      // Watch the broken file too (a newly imported one is not among the last good files).
      if (typeof file === 'string') watch.update([...lastGood, file]);
      const { message, code } = summariseError(err);
      options.error(`faasport dev: reload failed, still serving the last good app: ${message}${code ? ` [${code}]` : ''}`);
    }
  };

  const trigger = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await reload();
      } while (again && !closed);
      running = undefined;
    })();
  };

  const watch = watchFiles(files, trigger, { debounceMs: options.debounceMs ?? 50, anySource: () => failed });
  return {
    close() {
      closed = true;
      watch.close();
    },
  };
}

/** "; added a; removed b (…)" for the reload line. */
function describeChange(before: App, after: App): string {
  const names = (app: App) => new Set(app.functions.map((f) => f.name));
  const [was, now] = [names(before), names(after)];
  const added = [...now].filter((n) => !was.has(n));
  const removed = before.functions.filter((f) => !now.has(f.name));
  const parts: string[] = [];
  if (added.length > 0) parts.push(`added ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`removed ${removed.map((f) => f.name).join(', ')}`);
  if (removed.some((f) => f.kind === 'queue' || f.kind === 'topic' || f.kind === 'event')) {
    parts.push('the messages of a removed consumer wait in its queue, and its dead letters stay listed, until a consumer is defined for it again');
  }
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

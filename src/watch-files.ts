import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';

export interface FileWatch {
  /** Watches exactly these files from now on (the app's sources after a load). */
  update(files: Iterable<string>): void;
  close(): void;
}

export interface FileWatchOptions {
  /** Quiet time after the last change before `onChange` runs (default 50 ms): an editor's save is several events. */
  debounceMs?: number;
  /** Also report any source-like file created or changed in the watched folders (after a failed load: the missing import may appear). */
  anySource?: () => boolean;
}

const SOURCE = /\.(?:[cm]?[jt]sx?|json)$/;

/**
 * Calls `onChange` once a burst of changes to the given files settles. It watches their
 * folders, not the files: editors that save by writing a new file and renaming it over the old
 * one end a watch on the file itself. Files under node_modules are never watched.
 *
 * @example
 * ```ts
 * import { watchFiles } from './watch-files.js';
 * const watcher = watchFiles(['/abs/app.ts'], () => console.log('changed'));
 * watcher.close();
 * ```
 */
export function watchFiles(files: Iterable<string>, onChange: () => void, options: FileWatchOptions = {}): FileWatch {
  const debounceMs = options.debounceMs ?? 50;
  const folders = new Map<string, FSWatcher>();
  let wanted = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const changed = (folder: string, name: string | Buffer | null): void => {
    if (closed) return;
    const file = name === null ? undefined : join(folder, name.toString());
    // Without a name (some platforms), any change in the folder counts.
    if (file !== undefined && !wanted.has(file) && !(options.anySource?.() && SOURCE.test(file))) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };

  const update = (next: Iterable<string>): void => {
    wanted = new Set([...next].filter((f) => !/[\\/]node_modules[\\/]/.test(f)));
    const needed = new Set([...wanted].map((f) => dirname(f)));
    for (const [folder, watcher] of folders) {
      if (!needed.has(folder)) {
        watcher.close();
        folders.delete(folder);
      }
    }
    for (const folder of needed) {
      if (folders.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => changed(folder, name));
        // A folder removed or unreadable later: stop watching it; the next successful load watches again.
        watcher.on('error', () => {
          watcher.close();
          folders.delete(folder);
        });
        folders.set(folder, watcher);
      } catch {
        /* a folder that vanished between the load and now: nothing to watch there */
      }
    }
  };

  update(files);
  return {
    update,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const watcher of folders.values()) watcher.close();
      folders.clear();
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadApp } from 'faasport/adapter-kit';
import { build } from '../target/build.js';
import { writeInfrastructure } from '../target/infrastructure.js';
import type { ContainerCloud } from '../runtime/adapter.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** A built container folder in a scratch directory, with the repository's node_modules linked in (what `npm ci` would install). */
export interface BuiltServer {
  readonly outDir: string;
  readonly files: readonly string[];
  remove(): void;
}

/** Builds `appFile` (relative to the repository) for `cloud`, as `faasport build --target container --cloud <cloud>` does. */
export async function buildServer(appFile: string, cloud: ContainerCloud): Promise<BuiltServer> {
  const outDir = mkdtempSync(join(tmpdir(), `faasport-container-${cloud}-`));
  const loaded = await loadApp(appFile, repoRoot);
  const options = { entry: loaded.entry, exportName: loaded.exportName, outDir, app: loaded.app, log: () => {}, cloud };
  const built = await build(options);
  const infra = await writeInfrastructure(options);
  symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return { outDir, files: [...built.files, ...infra.files], remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

/** The built `server.mjs` running under `node` as a child process. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the server wrote, stdout and stderr. */
  output(): string;
  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[];
  /** Sends `signal` and resolves with the exit code (or signal) once the process ended, SIGKILL after `timeoutMs`. */
  kill(signal: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node server.mjs` in `outDir` on 127.0.0.1 and a free port; resolves once it listens. */
export async function startServer(outDir: string, env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', join(outDir, 'server.mjs')], {
    cwd: outDir,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    const check = (): void => {
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${text}`));
    });
  });
  return {
    url,
    child,
    output: () => text,
    logs: () =>
      text.split('\n').flatMap((line) => {
        try {
          return line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    async kill(signal, killAfterMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const force = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const result = await exited;
      clearTimeout(force);
      return result;
    },
  };
}

/** Polls `probe` every 50 ms until it returns a value, at most `ms`. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 20_000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

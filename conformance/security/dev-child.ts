import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** A real `faasport dev` child process, started from the repository's CLI source. */
export interface DevChild {
  readonly child: ChildProcess;
  /** The URL it printed ("listening on …"). */
  readonly url: string;
  /** The per-run token it printed, if it printed one. */
  readonly token: string | undefined;
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `faasport dev <args>` and resolves once it prints where it listens, and its per-run
 * token when `expectToken` (rejects if it exits or takes 30 s).
 */
export function startDev(args: string[], options: { env?: NodeJS.ProcessEnv; expectToken?: boolean } = {}): Promise<DevChild> {
  const env = options.env ?? {};
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dev', ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise<DevChild>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m && (!options.expectToken || /FPDEV[0-9A-F]{32}/.test(output))) {
        done();
        resolve({ child, url: m[1]!, token: /FPDEV[0-9A-F]{32}/.exec(output)?.[0], output: () => output, stop });
      }
    }, 20);
    const deadline = setTimeout(() => {
      done();
      void stop().then(() => reject(new Error(`faasport dev did not start in 30 s:\n${output}`)));
    }, 30_000);
    const done = (): void => {
      clearInterval(timer);
      clearTimeout(deadline);
    };
    void exited.then(() => {
      done();
      reject(new Error(`faasport dev exited:\n${output}`));
    });
  });
}

/** A field of /proc/<pid>/status in MiB: `VmRSS` (resident now) or `VmHWM` (the peak so far). Linux only. */
export function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]) / 1024;
}

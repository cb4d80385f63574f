import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A server in a child process, and how to stop it. */
export interface ChildServer {
  readonly port: number;
  stop(): Promise<void>;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Starts `node <args>` and waits (at most `timeoutMs`) until its output, ANSI colours stripped,
 * matches `ready`, whose first group is the port when `port` is not given.
 */
export async function startChild(
  args: string[],
  options: { ready: RegExp; port?: number; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bench: ${args.join(' ')} not ready after ${options.timeoutMs ?? 30_000} ms:\n${output}`)),
      options.timeoutMs ?? 30_000,
    );
    const look = (chunk: Buffer): void => {
      output += chunk.toString('utf8').replace(ANSI, '');
      const m = options.ready.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(options.port ?? Number(m[1]));
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: ${args.join(' ')} exited (${code}) before it was ready:\n${output}`));
    });
  });
  // Keep draining its output, or a chatty server blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return { port, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A port free right now on 127.0.0.1, for servers that cannot listen on port 0 and say which. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

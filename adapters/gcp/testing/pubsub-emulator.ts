import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A running Pub/Sub emulator (Google's, from the Cloud SDK), for tests. */
export interface PubsubEmulator {
  /** `host:port`, what PUBSUB_EMULATOR_HOST takes. */
  readonly host: string;
  stop(): Promise<void>;
}

const SDK_PATHS = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];

/** Where `cloud-pubsub-emulator` is installed, or undefined when the machine has none. */
export function findPubsubEmulator(): string | undefined {
  const roots = [...SDK_PATHS, ...(process.env.PATH ?? '').split(delimiter).map((p) => join(p, '..'))];
  for (const root of roots) {
    const bin = join(root, 'platform', 'pubsub-emulator', 'bin', 'cloud-pubsub-emulator');
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the emulator on a free local port and waits until it listens. */
export async function startPubsubEmulator(bin: string, timeoutMs = 30_000): Promise<PubsubEmulator> {
  const port = await freePort();
  const child: ChildProcess = spawn(bin, [`--host=127.0.0.1`, `--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Pub/Sub emulator did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Pub/Sub emulator exited with ${code}:\n${output}`));
    });
  });
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // SIGTERM first; a process that ignores it for 5 s is killed.
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

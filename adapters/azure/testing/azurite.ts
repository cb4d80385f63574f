/**
 * Test support: Azurite (Microsoft's storage emulator, npm `azurite`), queue service only,
 * in memory, on 127.0.0.1 and a free port. Always stop it: SIGTERM, then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Azurite {
  readonly port: number;
  /** Connection string for the emulator's well-known development account (public, documented by Microsoft). */
  readonly connectionString: string;
  stop(): Promise<void>;
}

const ACCOUNT = 'devstoreaccount1';
// Azurite's fixed development key, published in its README; it guards nothing.
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export async function startAzurite(): Promise<Azurite> {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist/src/queue/main.js');
  const location = await mkdtemp(join(tmpdir(), 'faasport-azurite-'));
  const child = spawn(
    process.execPath,
    [main, '--inMemoryPersistence', '--queueHost', '127.0.0.1', '--queuePort', '0', '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose'],
    // A scratch working folder: whatever Azurite writes beside its in-memory store stays out of the repo.
    { cwd: location, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`azurite did not start within 20 s: ${out.slice(-500)}`)), 20_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`azurite exited with ${code}: ${out.slice(-500)}`));
      });
    });
  } catch (err) {
    await terminate(child);
    await rm(location, { recursive: true, force: true });
    throw err;
  }
  // Keep draining the access log so the pipe never blocks the emulator.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${DEV_KEY};QueueEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
    async stop() {
      await terminate(child);
      await rm(location, { recursive: true, force: true });
    },
  };
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

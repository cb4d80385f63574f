/**
 * Build row: `faasport build --target aws` on examples/shop, a whole CLI process from start to
 * exit, against a node process that calls esbuild's API on the same app with the same bundle
 * settings. Both are wall-clock times of a child process, so a build that left esbuild's
 * service holding the process open would show here as time (and never exit).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RUNTIME_ESBUILD_TARGET } from '../../src/runtime-node.js';
import { sourceAliases } from '../../src/source-aliases.js';
import type { BenchRow } from '../row.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOP = join(ROOT, 'examples/shop/app.ts');
const ESBUILD = pathToFileURL(createRequire(import.meta.url).resolve('esbuild')).href;
let work: string | undefined;

/** Seconds from spawn to exit; throws unless it exits 0. */
function timeChild(args: readonly string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`${args.join(' ')} exited ${code ?? signal}: ${stderr.slice(0, 500)}`));
    });
  });
}

/** The peer: esbuild's API in node, bundling the app as faasport's aws build does (ESM, node target, linked map, metafile, AWS SDK external). */
function esbuildScript(outDir: string): string {
  const options = {
    entryPoints: [SHOP],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: RUNTIME_ESBUILD_TARGET,
    outfile: join(outDir, 'index.mjs'),
    sourcemap: 'linked',
    metafile: true,
    external: ['@aws-sdk/*'],
    // The package's entries resolve to their source files, as faasport's own build does from the repository.
    alias: sourceAliases(import.meta.url),
    logLevel: 'silent',
  };
  return `import { build } from ${JSON.stringify(ESBUILD)};\nawait build(${JSON.stringify(options)});\n`;
}

const SUBJECT = 'faasport build --target aws';
const PEER = 'esbuild API in node';

export const rows: BenchRow[] = [
  {
    id: 'aws-build-shop',
    what: '`faasport build --target aws` on examples/shop (CLI run from source, as `npm run faasport` does), whole process',
    unit: 's',
    better: 'lower',
    subject: SUBJECT,
    peer: PEER,
    goal: { ratio: 1.5, text: "≤ 1.5x esbuild's API" },
    note: "the time is start-up before esbuild begins: on this machine tsx itself takes about 0.33 s to start and the CLI's TypeScript source (command line, composition root, the aws target) about 0.37 s more (`faasport --help` from source: 0.7 s); esbuild's own work is the same call. The installed package runs built JavaScript instead, which this row does not measure yet.",
    async measure(round) {
      work ??= mkdtempSync(join(tmpdir(), 'faasport-bench-build-'));
      const faasport = () => timeChild(['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'build', SHOP, '--target', 'aws', '--out', join(work!, 'faasport')]);
      const esbuild = () => timeChild(['--input-type=module', '-e', esbuildScript(join(work!, 'esbuild'))]);
      const value: Record<string, number> = {};
      if (round % 2 === 0) {
        value[SUBJECT] = await faasport();
        value[PEER] = await esbuild();
      } else {
        value[PEER] = await esbuild();
        value[SUBJECT] = await faasport();
      }
      return value;
    },
    async dispose() {
      if (work) rmSync(work, { recursive: true, force: true });
      work = undefined;
    },
  },
];

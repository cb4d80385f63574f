import { writeFileSync } from 'node:fs';
import { build, type BuildOptions } from 'esbuild';
import { entrySource } from '../../adapters/aws/target/build.js';
import { RUNTIME_ESBUILD_TARGET } from '../../src/runtime-node.js';
import { sourceAliases } from '../../src/source-aliases.js';
import { HELLO_APP, workDir } from './paths.js';

/** The hello function built for Lambda by faasport and, by hand, with hono; each exports `hello`. */
export interface HelloBundles {
  readonly faasport: string;
  readonly hono: string;
}

const HONO_HELLO = `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
const app = new Hono();
app.get('/hello', (c) => c.json({ hello: 'world' }));
export const hello = handle(app);
`;

let built: Promise<HelloBundles> | undefined;
let builtMinified: Promise<HelloBundles> | undefined;

/**
 * Both hellos bundled with the esbuild options of `faasport build --target aws` (ESM, node
 * target, the AWS SDK external, the require banner); `minify` for the size row. faasport's
 * entry is the one its build generates for the hello app.
 */
export function helloBundles(minify = false): Promise<HelloBundles> {
  if (minify) return (builtMinified ??= bundleBoth(true));
  return (built ??= bundleBoth(false));
}

async function bundleBoth(minify: boolean): Promise<HelloBundles> {
  const dir = workDir(minify ? 'aws-hello-min' : 'aws-hello');
  const honoEntry = `${dir}/hono-entry.ts`;
  writeFileSync(honoEntry, HONO_HELLO);
  const { app } = (await import(HELLO_APP)) as { app: import('../../src/index.js').App };
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: RUNTIME_ESBUILD_TARGET,
    minify,
    banner: { js: "import { createRequire as __faasportRequire } from 'node:module';\nconst require = __faasportRequire(import.meta.url);" },
    external: ['@aws-sdk/*', 'esbuild'],
    alias: sourceAliases(import.meta.url),
    logLevel: 'silent',
  };
  const faasport = `${dir}/faasport.mjs`;
  const hono = `${dir}/hono.mjs`;
  await build({
    ...common,
    stdin: { contents: entrySource(app, HELLO_APP, 'app'), resolveDir: dir, sourcefile: 'faasport-aws-entry.ts', loader: 'ts' },
    outfile: faasport,
  });
  await build({ ...common, entryPoints: [honoEntry], outfile: hono });
  return { faasport, hono };
}

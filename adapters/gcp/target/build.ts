import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaasportError, type BuildOptions, type BuildResult } from 'faasport';
import { assertGcpSupported } from '../runtime/check-app.js';
import { planDeployment, retryEnforcement } from './deploy-plan.js';
import { RUNTIME_ESBUILD_TARGET, RUNTIME_NODE_ENGINES } from 'faasport/adapter-kit';

const require = createRequire(import.meta.url);
const FRAMEWORK = '@google-cloud/functions-framework';
const PUBSUB = '@google-cloud/pubsub';

/**
 * Writes a source folder Cloud Functions (2nd gen) deploys as is: `index.js` (one ESM
 * bundle, Node 22, that registers every function of the app with the Functions Framework),
 * `package.json` (the framework and, when the app has queues or topics, `@google-cloud/pubsub`
 * as dependencies; `npm start` runs `functions-framework`, which serves `$FUNCTION_TARGET`),
 * and `faasport-gcp.json` (the deployment plan as data). The gcloud `deploy.sh` comes from
 * {@link writeInfrastructure}, which `faasport build` calls next.
 *
 * `cd <outDir> && npm install && npx @google-cloud/functions-framework --target <function>` serves any
 * one function (the scoped name: unscoped `functions-framework` on npx is somebody else's package).
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { build } from 'faasport/gcp/target';
 *
 * const app = createApp('shop');
 * app.http('hello', { route: '/hello' }, () => new Response('hi'));
 * await build({ entry: '/abs/app.ts', exportName: 'app', outDir: '/abs/dist/gcp', app, log: console.log });
 * ```
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const { app, entry, exportName, outDir, log } = options;
  assertGcpSupported(app);
  const plan = planDeployment(app);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const { build: esbuild } = await import('esbuild');
  // From the repository the adapter's own source is bundled; from the published package, `faasport/gcp`.
  const local = fileURLToPath(new URL('../runtime/register-gcp.ts', import.meta.url));
  const registerFrom = existsSync(local) ? local : 'faasport/gcp';
  const contents = [
    `import { registerGcp } from ${JSON.stringify(registerFrom)};`,
    `import * as entry from ${JSON.stringify(entry)};`,
    `const app = entry[${JSON.stringify(exportName)}];`,
    `if (!app) throw new Error(${JSON.stringify(`${entry} has no export "${exportName}"`)});`,
    'registerGcp(app);',
  ].join('\n');
  try {
    await esbuild({
      stdin: { contents, resolveDir: dirname(entry), sourcefile: 'faasport-gcp-entry.js', loader: 'js' },
      bundle: true,
      platform: 'node',
      target: RUNTIME_ESBUILD_TARGET,
      format: 'esm',
      outfile: join(outDir, 'index.js'),
      // The framework must be the copy the runtime serves from (one function registry); Pub/Sub is a runtime dependency.
      external: [FRAMEWORK, PUBSUB],
      // Bundled CommonJS code calls require(); an ES module has none of its own.
      banner: { js: "import { createRequire as __faasportRequire } from 'node:module'; const require = __faasportRequire(import.meta.url);" },
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'silent',
    });
  } catch (err) {
    throw new FaasportError('CONFIG_INVALID', `build --target gcp: bundling ${entry} failed: ${(err as Error).message}`, { cause: err });
  }

  const usesPubsub = app.queues.length > 0 || app.topics.length > 0;
  const pkg = {
    name: `${app.name.toLowerCase()}-gcp`,
    version: '1.0.0',
    private: true,
    type: 'module',
    main: 'index.js',
    engines: { node: RUNTIME_NODE_ENGINES },
    scripts: { start: 'functions-framework' },
    dependencies: {
      [FRAMEWORK]: `^${installedVersion(FRAMEWORK) ?? '5.0.0'}`,
      ...(usesPubsub ? { [PUBSUB]: `^${installedVersion(PUBSUB) ?? '5.0.0'}` } : {}),
    },
  };
  await writeFile(join(outDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  await writeFile(join(outDir, 'faasport-gcp.json'), JSON.stringify(plan, null, 2) + '\n');
  const files = ['index.js', 'index.js.map', 'package.json', 'faasport-gcp.json'];
  log(`gcp: ${app.functions.length} function(s) in ${outDir}; serve one with: ${serveCommand(outDir)}`);
  for (const line of retryEnforcement(app)) log(line);
  return { outDir, files };
}

/**
 * The command that serves the built folder, as a user types it from where they ran the build:
 * the folder's own dependencies installed, then the framework by its scoped name.
 */
export function serveCommand(outDir: string, cwd = process.cwd()): string {
  const rel = relative(cwd, outDir);
  const dir = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? outDir : rel;
  const quoted = /^[\w@%+=:,./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
  return `cd ${quoted} && npm install && npx ${FRAMEWORK} --target <function>`;
}

/** The version of an installed package (its package.json is not exported, so read it beside the entry). */
function installedVersion(name: string): string | undefined {
  try {
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

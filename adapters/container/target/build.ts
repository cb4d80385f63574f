import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertSupported, FaasportError, type BuildOptions, type BuildResult } from 'faasport';
import { RUNTIME_NODE_ENGINES, sourceAliases } from 'faasport/adapter-kit';
import { containerAdapters, toContainerCloud, type ContainerCloud } from '../runtime/adapter.js';
import { needsQueueService } from '../runtime/platform.js';
import { dockerfile, DOCKERIGNORE, SERVER_FILE } from './dockerfile.js';
import { runtimeDependencies } from './lockfile.js';

/** The cloud SDKs a server keeps external, by cloud: installed by `npm ci` in the image. */
export const CLOUD_PACKAGES: Readonly<Record<ContainerCloud, readonly string[]>> = {
  aws: ['@aws-sdk/client-sqs', '@aws-sdk/client-sns'],
  gcp: ['@google-cloud/pubsub'],
  // @azure/identity: the Container Apps file connects with a managed identity.
  azure: ['@azure/storage-queue', '@azure/identity'],
};

const PLATFORM_EXPORT: Readonly<Record<ContainerCloud, string>> = { aws: 'awsPlatform', gcp: 'gcpPlatform', azure: 'azurePlatform' };
/** Code of the other clouds a bundle must not contain. */
const FOREIGN: Readonly<Record<ContainerCloud, RegExp>> = {
  aws: /(^|\/)(@azure|@google-cloud)\/|adapters\/(azure|gcp)\//,
  gcp: /(^|\/)(@azure|@aws-sdk)\/|adapters\/(azure|aws)\//,
  azure: /(^|\/)(@aws-sdk|@google-cloud)\/|adapters\/(aws|gcp)\//,
};

/**
 * Writes a deployable container folder for `faasport build --target container --cloud
 * aws|gcp|azure`: `server.mjs` (one ESM bundle: the app, the HTTP server and the queue
 * consumers; run it with `node server.mjs`), `package.json` and `package-lock.json` (the
 * cloud SDK pinned to the installed version, for `npm ci --omit=dev`), a `Dockerfile` and
 * `.dockerignore`. The platform's deploy files come from `writeInfrastructure`, which
 * `faasport build` calls next.
 *
 * @example
 * ```ts
 * import { build } from 'faasport/container/target';
 * await build({ entry: '/abs/app.ts', exportName: 'app', outDir: '/abs/dist/container', app, log: console.log, cloud: 'aws' });
 * ```
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const { app, entry, exportName, outDir, log } = options;
  const cloud = toContainerCloud(options.cloud, `container build of app "${app.name}"`);
  assertSupported(app, containerAdapters[cloud]);
  const aliases = sourceAliases(import.meta.url);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const packages = needsQueueService(app, cloud) ? CLOUD_PACKAGES[cloud] : [];
  const { build: esbuild } = await import('esbuild');
  const contents = [
    `import { startContainer, ${PLATFORM_EXPORT[cloud]} } from 'faasport/container/${cloud}';`,
    `import * as entry from ${JSON.stringify(entry)};`,
    `const app = entry[${JSON.stringify(exportName)}];`,
    `if (!app) throw new Error(${JSON.stringify(`${entry} has no export "${exportName}"`)});`,
    `await startContainer(app, await ${PLATFORM_EXPORT[cloud]}(app));`,
  ].join('\n');
  const result = await esbuild({
    stdin: { contents, resolveDir: dirname(entry), sourcefile: 'faasport-container-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile: join(outDir, SERVER_FILE),
    sourcemap: 'linked',
    metafile: true,
    banner: { js: "import { createRequire as __faasportRequire } from 'node:module';\nconst require = __faasportRequire(import.meta.url);" },
    // Every cloud SDK stays a dependency (installed by npm ci); esbuild is reached only by build().
    external: ['@aws-sdk/*', '@azure/*', '@google-cloud/*', 'esbuild', 'better-sqlite3'],
    ...(aliases ? { alias: aliases } : {}),
    logLevel: 'silent',
  });
  // What reached the output, not what was parsed: the index names every cloud, tree shaking keeps one.
  const emitted = Object.values(result.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([f]) => f),
  );
  const foreign = emitted.filter((f) => FOREIGN[cloud].test(f));
  if (foreign.length > 0) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `container build (${cloud}): the bundle pulled in another cloud's code (${foreign.slice(0, 3).join(', ')}); import only faasport and faasport/container from the app`,
      {
        details: { foreign },
      },
    );
  }
  const { dependencies, lockfile } = runtimeDependencies(app.name, packages, dirname(entry));
  const pkg = {
    name: app.name,
    version: '1.0.0',
    private: true,
    type: 'module',
    main: SERVER_FILE,
    scripts: { start: `node --enable-source-maps ${SERVER_FILE}` },
    engines: { node: RUNTIME_NODE_ENGINES },
    dependencies,
  };
  await writeFile(join(outDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  await writeFile(join(outDir, 'package-lock.json'), JSON.stringify(lockfile, null, 2) + '\n');
  await writeFile(join(outDir, 'Dockerfile'), dockerfile(app.name, cloud));
  await writeFile(join(outDir, '.dockerignore'), DOCKERIGNORE);
  log(`container (${cloud}): wrote ${SERVER_FILE} serving ${app.functions.length} function(s): ${app.functions.map((f) => f.name).join(', ')}`);
  return { outDir, files: [SERVER_FILE, `${SERVER_FILE}.map`, 'package.json', 'package-lock.json', 'Dockerfile', '.dockerignore'] };
}

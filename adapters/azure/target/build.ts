import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FaasportError, assertSupported, type App, type BuildOptions, type BuildResult } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { everyToSchedule, toNcrontab } from '../runtime/encode-ncrontab.js';
import { toAzureRoute } from '../runtime/encode-route.js';
import { hostQueueSettings, retryEnforcement, toTimeSpan } from '../runtime/host-settings.js';
import { storageQueueName } from '../runtime/names.js';
import { RUNTIME_ESBUILD_TARGET, RUNTIME_NODE_ENGINES, sourceAliases } from 'faasport/adapter-kit';

/** `@azure/identity` for the function app's package.json: the managed identity's token for identity-based storage sends. */
const IDENTITY_VERSION = '^4.0.0';
/** The bundled main module, relative to the output folder (package.json `main`). */
export const MAIN_FILE = 'dist/main.mjs';

/**
 * Writes an Azure Functions app for `faasport build --target azure`: `host.json` (queue
 * policy from the definitions, no `/api` route prefix, queue message text read as sent),
 * `package.json` whose `main` is the bundled entry, the entry itself (the app plus
 * `registerAzure`, one ESM file with only Azure code) and a `local.settings.json` for
 * `func start` against Azurite. `@azure/*` packages stay dependencies, installed on deploy.
 *
 * @example
 * ```ts
 * import { build } from 'faasport/azure/target';
 * import { app } from './app.js';
 * await build({ entry: '/abs/app.ts', exportName: 'app', outDir: '/abs/dist/azure', app, log: console.log });
 * ```
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const { app, entry, exportName, outDir, log } = options;
  assertSupported(app, adapter);
  const settings = appSettings(app, log);
  const { build: esbuild } = await import('esbuild');
  const aliases = sourceAliases(import.meta.url);
  const importName = exportName === 'default' ? 'default as app' : `${exportName} as app`;
  await esbuild({
    stdin: {
      contents: `import { registerAzure } from 'faasport/azure';\nimport { ${importName} } from ${JSON.stringify(entry)};\nregisterAzure(app);\n`,
      resolveDir: dirname(entry),
      sourcefile: 'faasport-azure-main.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: RUNTIME_ESBUILD_TARGET,
    outfile: join(outDir, MAIN_FILE),
    sourcemap: true,
    // The host loads @azure/functions from the app's node_modules and injects @azure/functions-core.
    external: ['@azure/*', 'esbuild'],
    ...(aliases ? { alias: aliases } : {}),
    logLevel: 'silent',
  });

  const timeoutMs = Math.max(1000, ...app.functions.map((f) => f.timeoutMs));
  const queues = hostQueueSettings(app);
  const hasQueues = app.queues.length + app.topics.length > 0;
  const hostJson = {
    version: '2.0',
    extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
    functionTimeout: toTimeSpan(Math.ceil(timeoutMs / 1000) * 1000),
    extensions: {
      http: { routePrefix: '' },
      ...(hasQueues
        ? {
            queues: {
              maxDequeueCount: queues.maxDequeueCount,
              visibilityTimeout: toTimeSpan(queues.visibilityTimeoutMs),
              batchSize: queues.batchSize,
              messageEncoding: queues.messageEncoding,
            },
          }
        : {}),
    },
  };
  const dependencies: Record<string, string> = { '@azure/functions': `^${installedVersion('@azure/functions', '4.0.0')}` };
  if (hasQueues) {
    dependencies['@azure/storage-queue'] = `^${installedVersion('@azure/storage-queue', '12.26.0')}`;
    // The deployed storage connection is identity-based (see armTemplate): sends need a token credential.
    dependencies['@azure/identity'] = IDENTITY_VERSION;
  }
  const packageJson = {
    name: app.name,
    version: '1.0.0',
    private: true,
    type: 'module',
    main: MAIN_FILE,
    engines: { node: RUNTIME_NODE_ENGINES },
    dependencies,
  };
  const localSettings = { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'UseDevelopmentStorage=true', ...settings } };

  await mkdir(outDir, { recursive: true });
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(join(outDir, 'host.json'), json(hostJson));
  await writeFile(join(outDir, 'package.json'), json(packageJson));
  await writeFile(join(outDir, 'local.settings.json'), json(localSettings));
  await writeFile(join(outDir, '.funcignore'), 'local.settings.json\n*.ts\n');
  log(
    `azure: ${app.functions.length} functions, host.json functionTimeout ${hostJson.functionTimeout}${hasQueues ? `, queues maxDequeueCount ${queues.maxDequeueCount}, messageEncoding ${queues.messageEncoding} (message text as sent)` : ''}`,
  );
  for (const line of retryEnforcement(app)) log(line);
  if (hasQueues)
    log(
      'azure: queues moved to Service Bus (FAASPORT_SERVICE_BUS_QUEUES/TOPICS) are dead-lettered by the broker at the MaxDeliveryCount you give them; set it to maxAttempts',
    );
  log('azure: run "npm install" in the output folder, then deploy it with "func azure functionapp publish <app>"');
  return { outDir, files: ['host.json', 'package.json', 'local.settings.json', '.funcignore', MAIN_FILE, `${MAIN_FILE}.map`] };
}

/**
 * Checks what only the Azure wiring can refuse (routes, cron, queue names, time zones) and
 * returns the app settings the app needs.
 */
function appSettings(app: App, log: (line: string) => void): Record<string, string> {
  const zones = new Set<string>();
  for (const def of app.functions) {
    if (def.kind === 'http') toAzureRoute(def);
    else if (def.kind === 'queue') storageQueueName(def.source.name);
    else if (def.kind === 'topic') storageQueueName(def.source.name, def.name);
    else if (def.kind === 'schedule') {
      if (def.cron !== undefined) {
        toNcrontab(def.cron, `schedule "${def.name}"`);
        zones.add(def.timezone ?? 'UTC');
      } else if (everyToSchedule(def.everyMs!).kind === 'timespan') {
        log(
          `azure: schedule "${def.name}" runs on a TimeSpan schedule, which App Service and Premium plans support but Consumption does not; use an interval that divides an hour or a day`,
        );
      }
    }
  }
  if (zones.size > 1) {
    throw new FaasportError(
      'CAPABILITY_UNSUPPORTED',
      `app "${app.name}": schedules use time zones ${[...zones].join(', ')}, but an azure function app has one (WEBSITE_TIME_ZONE); use one time zone for every cron schedule`,
      {
        details: { adapter: 'azure', zones: [...zones] },
      },
    );
  }
  const zone = [...zones][0];
  if (zone === undefined || zone === 'UTC') return {};
  log(`azure: set the app setting WEBSITE_TIME_ZONE=${zone} (Linux plans; Windows plans take the Windows zone name)`);
  return { WEBSITE_TIME_ZONE: zone };
}

function installedVersion(pkg: string, fallback: string): string {
  try {
    return (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return fallback;
  }
}

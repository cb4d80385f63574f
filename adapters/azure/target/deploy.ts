import type { DeployOptions } from 'faasport/adapter-kit';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';
import { FaasportError, isFaasportError } from 'faasport';
import { printOrRun } from 'faasport/adapter-kit';
import { withStagingFolder } from 'faasport/adapter-kit';
import { build } from './build.js';
import { azureDeploySteps } from './deploy-steps.js';
import { ARM_TEMPLATE_FILE, writeInfrastructure } from './infrastructure.js';

export type { DeployOptions } from 'faasport/adapter-kit';

/** The zip deployed to the function app, inside the build folder. */
export const PACKAGE_FILE = 'app.zip';
/** Never shipped: local secrets, the infrastructure, the package itself. */
const EXCLUDED = [/^local\.settings\.json$/, /^infra\//, /^app\.zip$/, /\.ts$/];

/**
 * `faasport deploy --target azure`: builds the function app (with `infra/azuredeploy.json`),
 * zips it, and prints the exact az commands of {@link azureDeploySteps}; with `--yes`, and
 * az installed, runs them. Without az, or without `--yes`, it is a dry run. Options:
 * `--resource-group` (default `<app>-rg`), `--location` (default westeurope). The built
 * folder replaces `outDir` only when everything succeeded; a failing command is
 * DEPLOY_FAILED naming it. No command carries a secret, and none exists for storage: the app
 * reaches its storage account as its managed identity (see `armTemplate`).
 *
 * @example
 * ```ts
 * // faasport deploy app.ts --target azure --resource-group shop-rg --location westeurope --yes
 * import { deploy } from 'faasport/azure/target';
 * await deploy({ entry, exportName: 'app', app, outDir: 'dist/azure', args: [], log: console.log, env: process.env });
 * ```
 */
export async function deploy(options: DeployOptions, exec?: (argv: readonly string[]) => Promise<string>): Promise<void> {
  const { values } = parseArgs({
    args: [...options.args],
    allowPositionals: true,
    strict: false,
    options: { 'resource-group': { type: 'string' }, location: { type: 'string' }, yes: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  });
  const { app, log } = options;
  const label = 'azure deploy';
  const vars: Record<string, string> = {
    RESOURCE_GROUP: typeof values['resource-group'] === 'string' ? values['resource-group'] : `${app.name}-rg`,
    LOCATION: typeof values.location === 'string' ? values.location : 'westeurope',
  };
  const yes = values.yes === true && values['dry-run'] !== true;
  log(`${label}: app "${app.name}", ${app.functions.length} function(s), resource group ${vars.RESOURCE_GROUP} in ${vars.LOCATION}`);
  try {
    await withStagingFolder(options.outDir, async (staging) => {
      log(`${label}: build: writing the function app and ${ARM_TEMPLATE_FILE}`);
      const buildOptions = { entry: options.entry, exportName: options.exportName, app, outDir: staging, log: () => {} };
      await build(buildOptions);
      await writeInfrastructure(buildOptions);
      const zip = await packageFolder(staging);
      await writeFile(join(staging, PACKAGE_FILE), zip);
      log(`${label}: package: ${(zip.length / 1024).toFixed(1)} KB ${PACKAGE_FILE}`);
      const folder = yes ? staging : options.outDir;
      vars.BUILD = folder;
      vars.ZIP = join(folder, PACKAGE_FILE);
      const ran = await printOrRun({ cli: 'az', label, steps: azureDeploySteps(app), vars, yes, log, path: options.env.PATH ?? '', ...(exec ? { exec } : {}) });
      log(`${label}: ${ran ? `done; function app ${vars.FUNCTION_APP}` : 'nothing was run'}; build and ${PACKAGE_FILE} in ${options.outDir}`);
    });
  } catch (err) {
    if (isFaasportError(err) && (err.code === 'DEPLOY_FAILED' || err.code === 'CONFIG_INVALID')) throw err;
    throw new FaasportError(
      'DEPLOY_FAILED',
      `${label}: build failed: ${(err as Error)?.message ?? String(err)}. The local build in ${options.outDir} is unchanged.`,
      { cause: err },
    );
  }
}

/** The build folder as a zip (what zip deploy expects: host.json at the root). */
async function packageFolder(dir: string): Promise<Uint8Array> {
  const entries: Record<string, Uint8Array> = {};
  for (const file of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const path = relative(dir, join(file.parentPath, file.name)).split('\\').join('/');
    if (EXCLUDED.some((re) => re.test(path))) continue;
    entries[path] = new Uint8Array(await readFile(join(dir, path)));
  }
  return zipSync(entries, { level: 6, mtime: new Date('2020-01-01T00:00:00Z') });
}

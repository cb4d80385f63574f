import type { DeployOptions } from 'faasport/adapter-kit';
import { parseArgs } from 'node:util';
import { FaasportError, isFaasportError } from 'faasport';
import { build } from './build.js';
import { commandExists, printOrRun } from 'faasport/adapter-kit';
import { withStagingFolder } from 'faasport/adapter-kit';
import { gcpDeploySteps, writeInfrastructure } from './infrastructure.js';

export type { DeployOptions } from 'faasport/adapter-kit';

/**
 * `faasport deploy --target gcp`: builds the source folder and prints the exact gcloud
 * commands of {@link gcpDeploySteps} (service accounts, topics, functions, dead-letter
 * policies, scheduler jobs); with `--yes`, and gcloud installed, runs them in order. Without
 * gcloud, or without `--yes`, it is a dry run. Options: `--project` (else gcloud's
 * configured project), `--region` (default us-central1), `--var NAME=VALUE` for
 * `EVENT_TYPE_<FUNCTION>` of event functions without an exact type. The built folder
 * replaces `outDir` only when everything succeeded; a failing command is DEPLOY_FAILED
 * naming it. No command carries a secret.
 *
 * @example
 * ```ts
 * // faasport deploy app.ts --target gcp --project my-project --region europe-west1 --yes
 * import { deploy } from 'faasport/gcp/target';
 * await deploy({ entry, exportName: 'app', app, outDir: 'dist/gcp', args: ['--project', 'my-project'], log: console.log, env: process.env });
 * ```
 */
export async function deploy(options: DeployOptions, exec?: (argv: readonly string[]) => Promise<string>): Promise<void> {
  const { values } = parseArgs({
    args: [...options.args],
    allowPositionals: true,
    strict: false,
    options: {
      project: { type: 'string' },
      region: { type: 'string' },
      yes: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      var: { type: 'string', multiple: true },
    },
  });
  const vars: Record<string, string> = { REGION: typeof values.region === 'string' ? values.region : 'us-central1' };
  if (typeof values.project === 'string') vars.PROJECT = values.project;
  for (const pair of (values.var as string[] | undefined) ?? []) {
    const eq = typeof pair === 'string' ? pair.indexOf('=') : -1;
    if (eq < 1 || !/^[A-Z][A-Z0-9_]*$/.test(pair.slice(0, eq)))
      throw new FaasportError('CONFIG_INVALID', 'gcp deploy: --var takes NAME=VALUE with an upper-case NAME');
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const label = 'gcp deploy';
  const { app, log } = options;
  log(`${label}: app "${app.name}", ${app.functions.length} function(s)${vars.PROJECT ? ` in project ${vars.PROJECT}` : ''}, region ${vars.REGION}`);
  try {
    await withStagingFolder(options.outDir, async (staging) => {
      log(`${label}: build: writing the source folder`);
      const buildOptions = { entry: options.entry, exportName: options.exportName, app, outDir: staging, log: () => {} };
      await build(buildOptions);
      await writeInfrastructure(buildOptions);
      vars.SRC = values.yes === true && values['dry-run'] !== true ? staging : options.outDir;
      const yes = values.yes === true && values['dry-run'] !== true;
      if (yes && vars.PROJECT === undefined && exec === undefined && (await commandExists('gcloud', options.env.PATH ?? ''))) {
        // gcloud's own configured project, as the script does.
        const { execFileSync } = await import('node:child_process');
        try {
          vars.PROJECT = execFileSync('gcloud', ['config', 'get-value', 'project'], { encoding: 'utf8' }).trim() || '';
        } catch {
          /* reported below */
        }
        if (!vars.PROJECT) throw new FaasportError('CONFIG_INVALID', `${label}: no project; pass --project <id> or run "gcloud config set project <id>"`);
      }
      const ran = await printOrRun({
        cli: 'gcloud',
        label,
        steps: gcpDeploySteps(app),
        vars,
        yes,
        log,
        path: options.env.PATH ?? '',
        ...(exec ? { exec } : {}),
      });
      log(`${label}: ${ran ? 'done' : 'nothing was run'}; source and deploy.sh in ${options.outDir}`);
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

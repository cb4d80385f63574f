import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isFaasportError } from 'faasport';
import { app as shop } from '../../../examples/shop/app.js';
import { deploy } from './deploy.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const work = `${repoRoot}.faasport/azure-deploy-${randomUUID()}`;
const outDir = `${work}/dist/azure`;
const bin = `${work}/bin`;
const entry = fileURLToPath(new URL('../../../examples/shop/app.ts', import.meta.url));

function run(args: string[], log: string[], path: string, exec?: (argv: readonly string[]) => Promise<string>): Promise<void> {
  return deploy({ entry, exportName: 'app', app: shop, outDir, args, log: (l) => log.push(l), env: { PATH: path } }, exec);
}

/** Stands in for the live Azure: records each az call; the template deployment answers the app name. */
function fakeAzure(failOn?: (argv: readonly string[]) => boolean) {
  const calls: string[] = [];
  const exec = async (argv: readonly string[]): Promise<string> => {
    calls.push(argv.join(' '));
    if (failOn?.(argv)) throw new Error('AuthorizationFailed: the client does not have authorization to perform action Microsoft.Resources/deployments/write');
    return argv[1] === 'deployment' ? 'shop-abc123\n' : '';
  };
  return { calls, exec };
}

beforeAll(async () => {
  await mkdir(bin, { recursive: true });
  // Only its presence on PATH matters: the commands themselves go to fakeAzure.
  await writeFile(`${bin}/az`, '#!/bin/sh\nexit 1\n');
  await chmod(`${bin}/az`, 0o755);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('faasport deploy --target azure', () => {
  test('without az: a dry run printing the exact commands; the build, template and package are written', async () => {
    const log: string[] = [];
    await run(['--resource-group', 'shop-rg', '--location', 'northeurope'], log, '');
    const text = log.join('\n');
    expect(text).toContain('azure deploy: dry run (az is not installed; install it, then run with --yes). The commands:');
    expect(text).toContain('az group create --name shop-rg --location northeurope --output none');
    expect(text).toContain(`--template-file ${outDir}/infra/azuredeploy.json --parameters appName=shop`);
    expect(text).toContain(`--src ${outDir}/app.zip --build-remote true`);
    expect((await readdir(outDir)).sort()).toEqual(expect.arrayContaining(['app.zip', 'host.json', 'infra', 'package.json']));
    const zipped = Object.keys(unzipSync(new Uint8Array(await readFile(`${outDir}/app.zip`)))).sort();
    expect(zipped).toEqual(expect.arrayContaining(['host.json', 'package.json', 'dist/main.mjs']));
    expect(zipped.some((f) => f.startsWith('infra/') || f === 'local.settings.json' || f === 'app.zip')).toBe(false);
  });

  test('az present but no --yes: still a dry run', async () => {
    const log: string[] = [];
    await run([], log, bin, fakeAzure().exec);
    expect(log.join('\n')).toContain('azure deploy: dry run (pass --yes to run these commands)');
  });

  test('with --yes and az: the commands run in order, the template output names the app to deploy to', async () => {
    const cloud = fakeAzure();
    const log: string[] = [];
    await run(['--yes'], log, bin, cloud.exec);
    expect(cloud.calls).toHaveLength(3);
    expect(cloud.calls[0]).toBe('az group create --name shop-rg --location westeurope --output none');
    expect(cloud.calls[1]).toMatch(/^az deployment group create --resource-group shop-rg --name faasport-shop --template-file \S+\/infra\/azuredeploy\.json /);
    expect(cloud.calls[2]).toMatch(
      /^az functionapp deployment source config-zip --resource-group shop-rg --name shop-abc123 --src \S+\/app\.zip --build-remote true$/,
    );
    expect(log.at(-1)).toBe(`azure deploy: done; function app shop-abc123; build and app.zip in ${outDir}`);
  });

  test('a failing command names the step and leaves the local build as it was', async () => {
    const before = await stat(`${outDir}/app.zip`);
    const err = await run(['--yes'], [], bin, fakeAzure((argv) => argv[1] === 'deployment').exec).catch((e: unknown) => e);
    expect(isFaasportError(err) && err.code).toBe('DEPLOY_FAILED');
    expect((err as Error).message).toMatch(
      /^azure deploy: step 2 "infrastructure \(function app, storage, queues, Key Vault, identity\)" failed: AuthorizationFailed.*Already done: resource group\./,
    );
    expect((await stat(`${outDir}/app.zip`)).mtimeMs).toBe(before.mtimeMs);
    expect(await readdir(`${work}/dist`)).toEqual(['azure']);
  });
});

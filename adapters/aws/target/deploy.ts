import type { DeployOptions } from 'faasport/adapter-kit';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { FaasportError, isFaasportError, type FunctionDefinition } from 'faasport';
import { withStagingFolder } from 'faasport/adapter-kit';
import { build, MANIFEST_FILE } from './build.js';
import { LAMBDA_RUNTIME, TEMPLATE_FILE, writeAwsInfrastructure } from './infrastructure.js';

export type { DeployOptions } from 'faasport/adapter-kit';

/** Options `faasport deploy --target aws` reads from the command line. */
export interface AwsDeployArgs {
  /** `--endpoint-url`: a Lambda-compatible endpoint instead of AWS's own. */
  readonly endpointUrl?: string;
  /** `--region`; else AWS_REGION / AWS_DEFAULT_REGION / the shared config file. */
  readonly region?: string;
  /** `--role`: execution role ARN for functions that do not exist yet; `{function}` is replaced by the function's name. */
  readonly role?: string;
  /** `--prefix`: Lambda function names are `<prefix>-<function>` (default: the app name, which is also the stack name the SAM template expects). */
  readonly prefix?: string;
  /** `--env KEY=VALUE` (repeatable): extra environment variables; values are never printed. */
  readonly env: Readonly<Record<string, string>>;
  /** `--dry-run`: build and package, print the plan, call nothing. */
  readonly dryRun: boolean;
}

/** Fixed zip entry time: the same code gives the same CodeSha256, so an unchanged function is skipped. */
const ZIP_TIME = new Date('2020-01-01T00:00:00Z');
const READY_TIMEOUT_MS = 120_000;

/**
 * `faasport deploy --target aws`: builds the app for Lambda, zips the bundle and, through
 * `@aws-sdk/client-lambda` (the standard credential chain; `--endpoint-url` for another
 * endpoint), creates each function (`<prefix>-<name>`) or updates its code and
 * configuration: GetFunction, then CreateFunction or UpdateFunctionCode +
 * UpdateFunctionConfiguration, waiting until Lambda reports each change done. Code whose
 * SHA-256 Lambda already has is not uploaded again. Existing environment variables are kept
 * (the SAM stack sets the queue URLs and topic ARNs there); `--env` adds to them.
 *
 * Direct API calls, not CloudFormation: they need only lambda:* on the functions and show
 * each step. Queues, topics, routes, roles and provisioned concurrency come from the SAM
 * template `faasport build` writes (`sam deploy --stack-name <app>`, once, or when they
 * change); this command then ships code in seconds. A new function needs `--role`.
 *
 * Progress is printed step by step; credentials and environment values never are. The
 * build happens in a staging folder that replaces `outDir` only when every step succeeded,
 * so a failure (a DEPLOY_FAILED error naming the step and the functions already changed)
 * leaves the previous local build untouched.
 *
 * @example
 * ```ts
 * // faasport deploy app.ts --target aws --region eu-west-1 --role arn:aws:iam::123456789012:role/shop-{function}
 * import { deploy } from 'faasport/aws/target';
 * await deploy({ entry, exportName: 'app', app, outDir: 'dist/aws', args: ['--region', 'eu-west-1'], log: console.log, env: process.env });
 * ```
 */
export async function deploy(options: DeployOptions, clientConfig: LambdaClientConfig = {}): Promise<void> {
  const { app, log } = options;
  const args = parseDeployArgs(options.args);
  const prefix = args.prefix ?? app.name;
  const names = new Map(app.functions.map((fn) => [fn, lambdaFunctionName(prefix, fn.name)]));
  const total = 2 + app.functions.length + 1;
  let step = 0;
  const progress = (text: string): void => log(`[${++step}/${total}] ${text}`);
  const changed: string[] = [];
  let current = 'build';

  log(
    `aws deploy: app "${app.name}", ${app.functions.length} function(s)${args.endpointUrl ? ` at ${safeUrl(args.endpointUrl)}` : ''}${args.region ? ` in ${args.region}` : ''}${args.dryRun ? ' (dry run)' : ''}`,
  );
  try {
    await withStagingFolder(options.outDir, async (staging) => {
      progress('build: bundling the app for Lambda');
      const built = await build({ entry: options.entry, exportName: options.exportName, app, outDir: staging, log: () => {} });
      await writeAwsInfrastructure(app, staging);

      current = 'package';
      const zip = await packageCode(staging, built.files);
      const sha = createHash('sha256').update(zip).digest('base64');
      progress(`package: ${formatKb(zip.length)} zip of ${built.files.filter(isCodeFile).join(', ')}`);

      const envKeys = ['NODE_ENV', 'NODE_OPTIONS', ...Object.keys(args.env)];
      if (args.dryRun) {
        for (const fn of app.functions) progress(`function ${names.get(fn)}: would create or update (${describe(fn)}; environment ${envKeys.join(', ')})`);
      } else {
        const lambda = await lambdaApi({
          ...clientConfig,
          ...(args.region ? { region: args.region } : {}),
          ...(args.endpointUrl ? { endpoint: args.endpointUrl } : {}),
        });
        try {
          for (const fn of app.functions) {
            const name = names.get(fn)!;
            current = `function ${name}`;
            const outcome = await deployFunction(lambda, fn, name, zip, sha, args, () => changed.push(name));
            progress(`function ${name}: ${outcome} (${describe(fn)}; environment ${envKeys.join(', ')})`);
          }
        } finally {
          lambda.client.destroy();
        }
      }
      current = 'write the local build';
    });
    progress(`done: ${args.dryRun ? 'nothing deployed' : `${app.functions.length} function(s) deployed`}; build and ${TEMPLATE_FILE} in ${options.outDir}`);
  } catch (err) {
    const remote = changed.length > 0 ? ` Already changed on Lambda: ${changed.join(', ')}; run deploy again to finish.` : ' Nothing was changed on Lambda.';
    throw new FaasportError('DEPLOY_FAILED', `aws deploy: ${current} failed: ${reason(err)}.${remote} The local build in ${options.outDir} is unchanged.`, {
      cause: err,
      details: { step: current, changed },
    });
  }
}

/** Reads the aws deploy options from the command line; unknown options belong to the CLI and are ignored. */
export function parseDeployArgs(argv: readonly string[]): AwsDeployArgs {
  const { values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    options: {
      'endpoint-url': { type: 'string' },
      region: { type: 'string' },
      role: { type: 'string' },
      prefix: { type: 'string' },
      env: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
    },
  });
  const text = (key: string): string | undefined => {
    const v = values[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw new FaasportError('CONFIG_INVALID', `aws deploy: --${key} needs a value`);
    return v;
  };
  const env: Record<string, string> = {};
  for (const pair of (values.env as (string | boolean)[] | undefined) ?? []) {
    const eq = typeof pair === 'string' ? pair.indexOf('=') : -1;
    if (eq < 1) throw new FaasportError('CONFIG_INVALID', 'aws deploy: --env takes KEY=VALUE');
    const key = (pair as string).slice(0, eq);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) throw new FaasportError('CONFIG_INVALID', `aws deploy: --env ${key}: names are letters, digits and "_"`);
    env[key] = (pair as string).slice(eq + 1);
  }
  const endpointUrl = text('endpoint-url');
  if (endpointUrl !== undefined && !/^https?:\/\//.test(endpointUrl)) {
    throw new FaasportError('CONFIG_INVALID', `aws deploy: --endpoint-url must be an http(s) URL, got "${safeUrl(endpointUrl)}"`);
  }
  return { endpointUrl, region: text('region'), role: text('role'), prefix: text('prefix'), env, dryRun: values['dry-run'] === true };
}

/** `<prefix>-<function>`, checked against Lambda's 64-character limit. */
export function lambdaFunctionName(prefix: string, fn: string): string {
  const name = `${prefix}-${fn}`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `aws deploy: Lambda function name "${name}" is longer than 64 characters or has other than letters, digits, "-", "_"; pass a shorter --prefix`,
    );
  }
  return name;
}

type LambdaModule = typeof import('@aws-sdk/client-lambda');
type LambdaApi = LambdaModule & { client: LambdaClient };

async function lambdaApi(config: LambdaClientConfig): Promise<LambdaApi> {
  let mod: LambdaModule;
  try {
    mod = await import('@aws-sdk/client-lambda');
  } catch (err) {
    throw new FaasportError(
      'NO_RUNTIME',
      '@aws-sdk/client-lambda is not installed; it is an optional peer of faasport/aws: npm install @aws-sdk/client-lambda',
      { cause: err },
    );
  }
  return { ...mod, client: new mod.LambdaClient(config) };
}

async function deployFunction(
  api: LambdaApi,
  fn: FunctionDefinition,
  name: string,
  zip: Uint8Array,
  sha: string,
  args: AwsDeployArgs,
  markChanged: () => void,
): Promise<string> {
  const base = { Runtime: LAMBDA_RUNTIME, Handler: `index.${fn.name}`, MemorySize: fn.memoryMb, Timeout: Math.max(1, Math.ceil(fn.timeoutMs / 1000)) } as const;
  const ownEnv = { NODE_ENV: 'production', NODE_OPTIONS: '--enable-source-maps', ...args.env };
  const existing = await getFunction(api, name);
  if (!existing) {
    if (!args.role) {
      throw new FaasportError(
        'CONFIG_INVALID',
        `function ${name} does not exist yet and needs an execution role: pass --role arn:aws:iam::<account>:role/<name> ("{function}" in it becomes the function name), or create the stack from ${TEMPLATE_FILE} first`,
      );
    }
    markChanged();
    await api.client.send(
      new api.CreateFunctionCommand({
        FunctionName: name,
        Role: args.role.replaceAll('{function}', fn.name),
        Code: { ZipFile: zip },
        PackageType: 'Zip',
        Description: `faasport function "${fn.name}"`,
        Environment: { Variables: ownEnv },
        ...base,
      }),
    );
    await waitUntilReady(api, name);
    return 'created';
  }
  const outcome: string[] = [];
  if (existing.CodeSha256 !== sha) {
    markChanged();
    await api.client.send(new api.UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip }));
    await waitUntilReady(api, name);
    outcome.push('code updated');
  } else {
    outcome.push('code unchanged');
  }
  markChanged();
  await api.client.send(
    new api.UpdateFunctionConfigurationCommand({
      FunctionName: name,
      ...base,
      // Keep what the stack (or the user) set: queue URLs, topic ARNs.
      Environment: { Variables: { ...existing.Environment?.Variables, ...ownEnv } },
      ...(args.role ? { Role: args.role.replaceAll('{function}', fn.name) } : {}),
    }),
  );
  await waitUntilReady(api, name);
  outcome.push('configuration updated');
  return outcome.join(', ');
}

async function getFunction(api: LambdaApi, name: string) {
  try {
    const out = await api.client.send(new api.GetFunctionCommand({ FunctionName: name }));
    return out.Configuration;
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** Polls until Lambda is done with the last change (State not Pending, LastUpdateStatus not InProgress). */
async function waitUntilReady(api: LambdaApi, name: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let delay = 250; ; delay = Math.min(5000, delay * 2)) {
    const c = await api.client.send(new api.GetFunctionConfigurationCommand({ FunctionName: name }));
    if (c.State === 'Failed' || c.LastUpdateStatus === 'Failed') {
      throw new FaasportError('DEPLOY_FAILED', `Lambda reports ${name} failed: ${c.StateReason ?? c.LastUpdateStatusReason ?? 'no reason given'}`);
    }
    if (c.State !== 'Pending' && c.LastUpdateStatus !== 'InProgress') return;
    if (Date.now() > deadline) throw new FaasportError('DEPLOY_FAILED', `${name} was still updating after ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

const isCodeFile = (file: string): boolean => file !== MANIFEST_FILE && file !== TEMPLATE_FILE;

/** The deployment zip: the bundle and its source map, with fixed timestamps. */
export async function packageCode(dir: string, files: readonly string[]): Promise<Uint8Array> {
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const file of files.filter(isCodeFile)) {
    if (existsSync(join(dir, file))) entries[file] = [new Uint8Array(await readFile(join(dir, file))), { mtime: ZIP_TIME }];
  }
  // Zip (with deflate) is a solved format: fflate, small and dependency-free, writes it.
  return zipSync(entries, { level: 6 });
}

function describe(fn: FunctionDefinition): string {
  return `${LAMBDA_RUNTIME}, index.${fn.name}, ${fn.memoryMb} MB, ${Math.max(1, Math.ceil(fn.timeoutMs / 1000))} s${fn.warm > 0 ? `, warm ${fn.warm} from the SAM template` : ''}`;
}

/** An endpoint URL without user info, query or fragment, safe to print. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** The cause in one line, without anything that could be a secret (SDK messages carry none; request ids are kept). */
function reason(err: unknown): string {
  if (isFaasportError(err)) return err.message;
  const e = err as { name?: string; message?: string };
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${(e?.message ?? String(err)).split('\n')[0]}`;
}

function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

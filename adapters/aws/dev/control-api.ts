import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { LambdaRuntimeHost } from './lambda-runtime-host.js';
import { functionNameOf } from './invoke-api.js';
import { LAMBDA_MAX_PAYLOAD_BYTES } from '../runtime/limits.js';

export interface LambdaControlApiOptions {
  /** Where deployed code is unpacked (default: a new folder under the OS temp dir, removed by `close()`). */
  readonly workDir?: string;
  /** Region and account in function ARNs (defaults us-east-1, 000000000000). */
  readonly region?: string;
  readonly accountId?: string;
  /**
   * Environment every deployed function also gets (what Lambda would provide: credentials,
   * an `AWS_ENDPOINT_URL` for local SQS/SNS). The function's own variables win.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Each line a deployed function writes. */
  readonly onLog?: (functionName: string, line: string) => void;
  /** Names CreateFunction refuses (409): a dev server's own app functions, which uploaded code must not shadow. */
  readonly reservedNames?: readonly string[];
  /**
   * Answer a function error as faasport's production routes do: `Internal Server Error`, no
   * stack trace (a FaasportError keeps its message). Default false: errors as Lambda gives them.
   */
  readonly production?: boolean;
}

/** The control API handler; `close()` stops every function's runtime and removes unpacked code it owns. */
export type LambdaControlApi = ((request: Request) => Promise<Response | undefined>) & {
  close(): Promise<void>;
  /** Names of the deployed functions. */
  functions(): string[];
};

interface Deployed {
  config: FunctionConfiguration;
  taskRoot: string;
  host: LambdaRuntimeHost | undefined;
}

interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  CodeSha256: string;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  Version: '$LATEST';
  Environment: { Variables: Record<string, string> };
  RevisionId: string;
  State: 'Active';
  LastUpdateStatus: 'Successful';
  PackageType: 'Zip';
  Architectures: string[];
}

const ROUTE = /^\/2015-03-31\/functions(?:\/([^/]+)(?:\/(code|configuration|invocations))?)?\/?$/;
/** Node.js runtimes this host can run (it runs them on this machine's Node). */
const RUNTIMES = new Set(['nodejs18.x', 'nodejs20.x', 'nodejs22.x']);
const NAME = /^[a-zA-Z0-9-_]{1,64}$/;
// Pure: a function bundle that never serves the control API leaves this module out.
const require = /* @__PURE__ */ createRequire(import.meta.url);

/**
 * The part of the Lambda control API that `faasport deploy --target aws` uses, served
 * locally so deploy can be run for real with `@aws-sdk/client-lambda`: CreateFunction
 * (`POST /2015-03-31/functions`), GetFunction and GetFunctionConfiguration (`GET
 * .../functions/{name}[/configuration]`), UpdateFunctionCode (`PUT .../code`),
 * UpdateFunctionConfiguration (`PUT .../configuration`), and Invoke (`POST
 * .../invocations`) for the functions deployed here. The uploaded zip is unpacked and run
 * as Lambda runs it: AWS's runtime interface client (`aws-lambda-ric`) in a child process
 * against a local Runtime API, one process per function, restarted when the code or
 * configuration changes. Like Lambda, the runtime provides `@aws-sdk/*` (this package's
 * own copy). Answers undefined for other paths, and for invocations of functions it did
 * not deploy (so an in-process Invoke API can take them).
 *
 * Whoever reaches it runs code as the user running it, and it checks no credentials itself:
 * serve it on loopback behind an authenticating guard, as `faasport dev --lambda-control-api`
 * does (`createDevGuard` from `faasport/local`, with a per-run token as the access key id).
 *
 * @example
 * ```ts
 * import { createLambdaControlApi } from 'faasport/aws/dev';
 * import { serve } from 'faasport/local';
 * const api = createLambdaControlApi();
 * const server = await serve(async (r) => (await api(r)) ?? new Response(null, { status: 404 }), { maxBodyBytes: 100 << 20 });
 * // faasport deploy app.ts --target aws --endpoint-url <server.url> --role arn:aws:iam::000000000000:role/{function}
 * ```
 */
export function createLambdaControlApi(options: LambdaControlApiOptions = {}): LambdaControlApi {
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? '000000000000';
  const deployed = new Map<string, Deployed>();
  let workDir: Promise<string> | undefined;
  const ownWorkDir = options.workDir === undefined;

  const root = (): Promise<string> =>
    (workDir ??= options.workDir ? mkdir(options.workDir, { recursive: true }).then(() => options.workDir!) : mkdtemp(join(tmpdir(), 'faasport-lambda-')));

  const unpack = async (name: string, files: Record<string, Uint8Array>): Promise<string> => {
    const dir = join(await root(), name, randomUUID());
    for (const [path, bytes] of Object.entries(files)) {
      if (path.endsWith('/')) continue;
      const target = normalize(join(dir, path));
      if (!target.startsWith(dir + sep))
        throw new ApiError(400, 'InvalidParameterValueException', `Could not unzip uploaded file: entry "${path}" leaves the task root`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
    // Lambda's Node.js runtimes provide the AWS SDK v3; so does this host, unless the zip brings its own.
    const sdk = sdkNodeModules();
    if (sdk && !existsSync(join(dir, 'node_modules'))) await symlink(sdk, join(dir, 'node_modules'), 'dir');
    return dir;
  };

  const replaceCode = async (d: Deployed, zipBase64: unknown): Promise<void> => {
    const { zip, files } = decodeZip(zipBase64);
    const taskRoot = await unpack(d.config.FunctionName, files);
    await d.host?.stop();
    d.host = undefined;
    const old = d.taskRoot;
    d.taskRoot = taskRoot;
    d.config.CodeSize = zip.length;
    d.config.CodeSha256 = createHash('sha256').update(zip).digest('base64');
    if (old) await rm(old, { recursive: true, force: true });
  };

  const touch = (config: FunctionConfiguration): void => {
    config.LastModified = new Date().toISOString().replace('Z', '+0000');
    config.RevisionId = randomUUID();
  };

  const find = (name: string): Deployed => {
    const d = deployed.get(functionNameOf(name));
    if (!d) throw new ApiError(404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:${region}:${account}:function:${functionNameOf(name)}`);
    return d;
  };

  const create = async (body: Record<string, unknown>): Promise<Response> => {
    const name = requireString(body, 'FunctionName');
    if (!NAME.test(name))
      throw new ApiError(400, 'ValidationException', `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint`);
    if (deployed.has(name)) throw new ApiError(409, 'ResourceConflictException', `Function already exist: ${name}`);
    if (options.reservedNames?.includes(name)) {
      throw new ApiError(
        409,
        'ResourceConflictException',
        `Function already exist: ${name} is a function of the app this dev server runs; deploy under another name (faasport deploy --prefix)`,
      );
    }
    const config: FunctionConfiguration = {
      FunctionName: name,
      FunctionArn: `arn:aws:lambda:${region}:${account}:function:${name}`,
      Runtime: checkRuntime(requireString(body, 'Runtime')),
      Role: requireString(body, 'Role'),
      Handler: checkHandler(requireString(body, 'Handler')),
      CodeSize: 0,
      CodeSha256: '',
      Description: typeof body.Description === 'string' ? body.Description : '',
      Timeout: checkInt(body.Timeout, 'Timeout', 1, 900, 3),
      MemorySize: checkInt(body.MemorySize, 'MemorySize', 128, 10_240, 128),
      LastModified: '',
      Version: '$LATEST',
      Environment: { Variables: environmentOf(body) ?? {} },
      RevisionId: '',
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: Array.isArray(body.Architectures) ? (body.Architectures as string[]) : ['x86_64'],
    };
    const code = body.Code as { ZipFile?: unknown } | undefined;
    if (!code || code.ZipFile === undefined)
      throw new ApiError(400, 'InvalidParameterValueException', 'Code.ZipFile is required (this host takes zip uploads, not S3 locations)');
    const d: Deployed = { config, taskRoot: '', host: undefined };
    await replaceCode(d, code.ZipFile);
    touch(config);
    deployed.set(name, d);
    return json(201, config);
  };

  const updateConfiguration = async (d: Deployed, body: Record<string, unknown>): Promise<Response> => {
    const c = d.config;
    if (body.Runtime !== undefined) c.Runtime = checkRuntime(requireString(body, 'Runtime'));
    if (body.Handler !== undefined) c.Handler = checkHandler(requireString(body, 'Handler'));
    if (body.Role !== undefined) c.Role = requireString(body, 'Role');
    if (body.Description !== undefined) c.Description = String(body.Description);
    if (body.Timeout !== undefined) c.Timeout = checkInt(body.Timeout, 'Timeout', 1, 900, c.Timeout);
    if (body.MemorySize !== undefined) c.MemorySize = checkInt(body.MemorySize, 'MemorySize', 128, 10_240, c.MemorySize);
    const env = environmentOf(body);
    if (env !== undefined) c.Environment = { Variables: env };
    await d.host?.stop();
    d.host = undefined;
    touch(c);
    return json(200, c);
  };

  const invoke = async (d: Deployed, request: Request): Promise<Response> => {
    const requestId = randomUUID();
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.length > LAMBDA_MAX_PAYLOAD_BYTES) {
      throw new ApiError(413, 'RequestTooLargeException', `Request must be smaller than ${LAMBDA_MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`);
    }
    const text = body.length > 0 ? Buffer.from(body).toString('utf8') : '{}';
    try {
      JSON.parse(text);
    } catch {
      throw new ApiError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const type = request.headers.get('x-amz-invocation-type') ?? 'RequestResponse';
    if (type === 'DryRun') return new Response(null, { status: 204, headers: { 'x-amzn-requestid': requestId } });
    if (type !== 'RequestResponse' && type !== 'Event')
      throw new ApiError(400, 'InvalidParameterValueException', `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got ${type}`);
    const c = d.config;
    d.host ??= new LambdaRuntimeHost({
      functionName: c.FunctionName,
      functionArn: c.FunctionArn,
      taskRoot: d.taskRoot,
      handler: c.Handler,
      timeoutMs: c.Timeout * 1000,
      memoryMb: c.MemorySize,
      env: { ...options.env, ...c.Environment.Variables },
      onLine: (line) => options.onLog?.(c.FunctionName, line),
    });
    const run = d.host.invoke(text);
    if (type === 'Event') {
      void run;
      return new Response(null, { status: 202, headers: { 'x-amzn-requestid': requestId } });
    }
    const result = await run;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
    if (!result.ok) {
      return new Response(JSON.stringify(options.production ? redacted(result.error) : result.error), {
        status: 200,
        headers: { ...headers, 'x-amz-function-error': 'Unhandled' },
      });
    }
    return new Response(result.payload, { status: 200, headers });
  };

  const api = async (request: Request): Promise<Response | undefined> => {
    const match = ROUTE.exec(new URL(request.url).pathname);
    if (!match) return undefined;
    const [, rawName, sub] = match;
    const name = rawName === undefined ? undefined : decodeURIComponent(rawName);
    const method = request.method;
    try {
      if (name === undefined) {
        if (method === 'POST') return await create(await readJson(request));
        if (method === 'GET') return json(200, { Functions: [...deployed.values()].map((d) => d.config) });
      } else if (sub === undefined && method === 'GET') {
        const d = find(name);
        return json(200, { Configuration: d.config, Code: { RepositoryType: 'S3', Location: `file://${d.taskRoot}` } });
      } else if (sub === 'configuration' && method === 'GET') {
        return json(200, find(name).config);
      } else if (sub === 'configuration' && method === 'PUT') {
        return await updateConfiguration(find(name), await readJson(request));
      } else if (sub === 'code' && method === 'PUT') {
        const d = find(name);
        const body = await readJson(request);
        if (body.ZipFile === undefined)
          throw new ApiError(400, 'InvalidParameterValueException', 'ZipFile is required (this host takes zip uploads, not S3 locations)');
        await replaceCode(d, body.ZipFile);
        touch(d.config);
        return json(200, d.config);
      } else if (sub === 'invocations' && method === 'POST') {
        const d = deployed.get(functionNameOf(name));
        return d ? await invoke(d, request) : undefined;
      }
      throw new ApiError(405, 'InvalidRequestContentException', `${method} ${new URL(request.url).pathname} is not part of the local Lambda control API`);
    } catch (err) {
      if (err instanceof ApiError) return awsError(err);
      throw err;
    }
  };

  return Object.assign(api, {
    functions: () => [...deployed.keys()],
    async close() {
      await Promise.all([...deployed.values()].map((d) => d.host?.stop()));
      deployed.clear();
      if (workDir && ownWorkDir) await rm(await workDir, { recursive: true, force: true });
      workDir = undefined;
    },
  });
}

/** Function errors whose message holds nothing of the handler's: the host's own, and faasport's. */
const PLAIN_ERRORS = new Set(['FaasportError', 'Sandbox.Timedout', 'Runtime.ExitError']);

/** A function error with nothing the handler held, and never a stack trace. */
function redacted(error: { errorType: string; errorMessage: string }): { errorType: string; errorMessage: string } {
  const keep = PLAIN_ERRORS.has(error.errorType);
  return keep ? { errorType: error.errorType, errorMessage: error.errorMessage } : { errorType: 'Error', errorMessage: 'Internal Server Error' };
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function awsError(err: ApiError): Response {
  return new Response(JSON.stringify({ Type: 'User', message: err.message }), {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.type, 'x-amzn-requestid': randomUUID() },
  });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() } });
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  try {
    const value = (text ? JSON.parse(text) : {}) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* answered below */
  }
  throw new ApiError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
}

function requireString(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '') throw new ApiError(400, 'InvalidParameterValueException', `${key} is required`);
  return v;
}

function checkRuntime(runtime: string): string {
  if (!RUNTIMES.has(runtime))
    throw new ApiError(400, 'InvalidParameterValueException', `Runtime ${runtime} is not supported by the local host; use one of ${[...RUNTIMES].join(', ')}`);
  return runtime;
}

function checkHandler(handler: string): string {
  if (!/^[^\s]+\.[^\s.]+$/.test(handler)) throw new ApiError(400, 'InvalidParameterValueException', `Handler ${handler} must look like file.export`);
  return handler;
}

function checkInt(value: unknown, key: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ApiError(400, 'InvalidParameterValueException', `${key} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function environmentOf(body: Record<string, unknown>): Record<string, string> | undefined {
  const env = body.Environment as { Variables?: unknown } | undefined;
  if (env === undefined) return undefined;
  const vars = env.Variables ?? {};
  if (typeof vars !== 'object' || vars === null) throw new ApiError(400, 'InvalidParameterValueException', 'Environment.Variables must be a map of strings');
  return Object.fromEntries(Object.entries(vars as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function decodeZip(value: unknown): { zip: Uint8Array; files: Record<string, Uint8Array> } {
  if (typeof value !== 'string') throw new ApiError(400, 'InvalidParameterValueException', 'ZipFile must be base64');
  const zip = Buffer.from(value, 'base64');
  // A zip starts with a local file header (PK\x03\x04) or, when empty, the end record.
  if (zip.length < 22 || zip[0] !== 0x50 || zip[1] !== 0x4b)
    throw new ApiError(400, 'InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.');
  try {
    return { zip, files: unzipSync(zip) };
  } catch {
    throw new ApiError(400, 'InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
}

/** The node_modules folder that holds this package's `@aws-sdk/*`, if installed. */
function sdkNodeModules(): string | undefined {
  try {
    const pkg = require.resolve('@aws-sdk/client-sqs/package.json');
    return dirname(dirname(dirname(pkg)));
  } catch {
    return undefined;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { FaasportError } from 'faasport';

/** What one invocation produced: the function's result, or a Lambda-shaped function error. */
export type HostedResult = { ok: true; payload: string } | { ok: false; error: { errorType: string; errorMessage: string; stackTrace?: string[] } };

export interface LambdaRuntimeHostOptions {
  readonly functionName: string;
  readonly functionArn: string;
  /** Folder the code was unpacked into (LAMBDA_TASK_ROOT). */
  readonly taskRoot: string;
  /** `index.hello`. */
  readonly handler: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** The function's own environment plus anything the host adds (credentials, endpoints). */
  readonly env: Readonly<Record<string, string>>;
  /** Each line the function writes to stdout or stderr. */
  readonly onLine?: (line: string) => void;
}

interface Pending {
  readonly id: string;
  readonly event: string;
  readonly deadline: number;
  readonly resolve: (result: HostedResult) => void;
}

const RUNTIME = '/2018-06-01/runtime';
// Pure: a function bundle that never hosts a runtime leaves this module out.
const require = /* @__PURE__ */ createRequire(import.meta.url);

/**
 * One Lambda execution environment on this machine: a local Runtime API (`/invocation/next`,
 * `/response`, `/error`, `/init/error`) and a child process running AWS's runtime interface
 * client (`aws-lambda-ric`) on the unpacked code, started at the first invocation. Like
 * Lambda, it runs one invocation at a time; a timeout or a crash ends the process and the
 * next invocation starts a fresh one (a cold start).
 */
export class LambdaRuntimeHost {
  readonly #options: LambdaRuntimeHostOptions;
  readonly #queue: Pending[] = [];
  readonly #waiting: ServerResponse[] = [];
  readonly #inFlight = new Map<string, Pending>();
  #server: Server | undefined;
  #address: Promise<string> | undefined;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;

  constructor(options: LambdaRuntimeHostOptions) {
    this.#options = options;
  }

  /** Runs one event (JSON text) through the function. Never rejects: failures are function errors. */
  async invoke(event: string): Promise<HostedResult> {
    await this.#start();
    const result = new Promise<HostedResult>((resolve) => {
      const pending: Pending = { id: randomUUID(), event, deadline: Date.now() + this.#options.timeoutMs, resolve };
      const res = this.#waiting.shift();
      if (res) this.#deliver(pending, res);
      else this.#queue.push(pending);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HostedResult>((resolve) => {
      timer = setTimeout(() => {
        resolve({
          ok: false,
          error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(this.#options.timeoutMs / 1000).toFixed(2)} seconds` },
        });
        void this.#stopChild();
      }, this.#options.timeoutMs + 1000);
    });
    const crashed = this.#exited!.then((): HostedResult => ({
      ok: false,
      error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: the runtime for ${this.#options.functionName} exited` },
    }));
    try {
      return await Promise.race([result, timedOut, crashed]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the process and the Runtime API. */
  async stop(): Promise<void> {
    await this.#stopChild();
    if (this.#server) {
      for (const res of this.#waiting.splice(0)) res.destroy();
      this.#server.closeAllConnections();
      await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
      this.#server = undefined;
      this.#address = undefined;
    }
  }

  async #start(): Promise<void> {
    const address = await (this.#address ??= this.#listen());
    if (this.#child) return;
    const o = this.#options;
    const child = spawn(process.execPath, [ricEntry()], {
      cwd: o.taskRoot,
      env: {
        PATH: process.env.PATH ?? '',
        ...o.env,
        AWS_LAMBDA_RUNTIME_API: address,
        _HANDLER: o.handler,
        LAMBDA_TASK_ROOT: o.taskRoot,
        AWS_LAMBDA_FUNCTION_NAME: o.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(o.memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${o.functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
        AWS_REGION: o.functionArn.split(':')[3] ?? 'us-east-1',
        TZ: ':UTC',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) o.onLine?.(line);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.#child = child;
    this.#exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      }),
    );
  }

  async #stopChild(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    const exited = this.#exited;
    child.kill('SIGKILL');
    await exited;
    for (const pending of this.#inFlight.values())
      pending.resolve({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: 'the runtime was stopped' } });
    this.#inFlight.clear();
    for (const res of this.#waiting.splice(0)) res.destroy();
  }

  async #listen(): Promise<string> {
    const server = createServer((req, res) => void this.#route(req, res));
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  #deliver(pending: Pending, res: ServerResponse): void {
    this.#inFlight.set(pending.id, pending);
    res
      .writeHead(200, {
        'content-type': 'application/json',
        'lambda-runtime-aws-request-id': pending.id,
        'lambda-runtime-deadline-ms': String(pending.deadline),
        'lambda-runtime-invoked-function-arn': this.#options.functionArn,
      })
      .end(pending.event);
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${RUNTIME}/invocation/next`) {
      const next = this.#queue.shift();
      if (next) this.#deliver(next, res);
      else this.#waiting.push(res);
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m) {
      const pending = this.#inFlight.get(decodeURIComponent(m[1]!));
      if (!pending)
        return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"errorType":"InvalidRequestID","errorMessage":"unknown request id"}');
      this.#inFlight.delete(pending.id);
      pending.resolve(m[2] === 'response' ? { ok: true, payload: body || 'null' } : { ok: false, error: parseError(body) });
      return void res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    }
    if (req.method === 'POST' && url === `${RUNTIME}/init/error`) {
      // The code could not load: fail what is waiting; the runtime exits and the next invoke retries.
      const error = parseError(body);
      for (const pending of this.#queue.splice(0)) pending.resolve({ ok: false, error });
      return void res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errorMessage: `no route ${req.method} ${url}` }));
  }
}

function parseError(body: string): { errorType: string; errorMessage: string; stackTrace?: string[] } {
  try {
    const e = JSON.parse(body) as { errorType?: unknown; errorMessage?: unknown; stackTrace?: unknown };
    return {
      errorType: typeof e.errorType === 'string' ? e.errorType : 'Error',
      errorMessage: typeof e.errorMessage === 'string' ? e.errorMessage : '',
      ...(Array.isArray(e.stackTrace) ? { stackTrace: e.stackTrace as string[] } : {}),
    };
  } catch {
    return { errorType: 'Runtime.Unknown', errorMessage: body.slice(0, 200) };
  }
}

/** aws-lambda-ric's entry point; CONFIG_INVALID naming the fix when it is not installed. */
export function ricEntry(): string {
  try {
    return join(dirname(require.resolve('aws-lambda-ric/package.json')), 'index.mjs');
  } catch (err) {
    throw new FaasportError('CONFIG_INVALID', 'running deployed Lambda code locally needs aws-lambda-ric; npm install -D aws-lambda-ric', { cause: err });
  }
}

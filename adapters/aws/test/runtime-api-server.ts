import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the function answered to one invocation. */
export type InvocationResult =
  | { ok: true; body: unknown }
  | { ok: false; errorType: string | undefined; body: { errorType?: string; errorMessage?: string; stackTrace?: string[] } };

interface Pending {
  id: string;
  event: unknown;
  deadlineMs: number;
  traceId: string | undefined;
  resolve: (result: InvocationResult) => void;
}

const PREFIX = '/2018-06-01/runtime';

/**
 * A local Lambda Runtime API (the endpoints a runtime interface client calls): the test
 * queues an event with `invoke`, the runtime takes it from `/invocation/next` and posts
 * the result to `/invocation/{id}/response` or `/error`; init failures go to `/init/error`.
 */
export class RuntimeApiServer {
  readonly #server: Server;
  readonly #queue: Pending[] = [];
  readonly #waiting: ServerResponse[] = [];
  readonly #inFlight = new Map<string, Pending>();
  readonly initErrors: unknown[] = [];
  #onInitError: ((error: unknown) => void) | undefined;

  constructor(readonly functionArn = 'arn:aws:lambda:us-east-1:123456789012:function:test') {
    this.#server = createServer((req, res) => void this.#route(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Hands `event` to the runtime and resolves with what the function answered. */
  invoke(event: unknown, options: { timeoutMs?: number; traceId?: string } = {}): Promise<InvocationResult> {
    return new Promise((resolve) => {
      const pending: Pending = { id: randomUUID(), event, deadlineMs: Date.now() + (options.timeoutMs ?? 30_000), traceId: options.traceId, resolve };
      const res = this.#waiting.shift();
      if (res) this.#deliver(pending, res);
      else this.#queue.push(pending);
    });
  }

  /** Resolves at the first init error the runtime reports. */
  initError(): Promise<unknown> {
    return new Promise((resolve) => (this.#onInitError = resolve));
  }

  async close(): Promise<void> {
    for (const res of this.#waiting.splice(0)) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #deliver(pending: Pending, res: ServerResponse): void {
    this.#inFlight.set(pending.id, pending);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': pending.id,
      'lambda-runtime-deadline-ms': String(pending.deadlineMs),
      'lambda-runtime-invoked-function-arn': this.functionArn,
    };
    if (pending.traceId) headers['lambda-runtime-trace-id'] = pending.traceId;
    res.writeHead(200, headers).end(JSON.stringify(pending.event));
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      const next = this.#queue.shift();
      if (next) this.#deliver(next, res);
      else this.#waiting.push(res);
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m) {
      const pending = this.#inFlight.get(decodeURIComponent(m[1]!));
      if (!pending) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errorMessage: 'unknown request id', errorType: 'InvalidRequestID' }));
        return;
      }
      this.#inFlight.delete(pending.id);
      const parsed = body ? (JSON.parse(body) as unknown) : null;
      pending.resolve(
        m[2] === 'response'
          ? { ok: true, body: parsed }
          : { ok: false, errorType: header(req, 'lambda-runtime-function-error-type'), body: (parsed ?? {}) as { errorType?: string; errorMessage?: string } },
      );
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      const error = body ? (JSON.parse(body) as unknown) : null;
      this.initErrors.push(error);
      this.#onInitError?.(error);
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errorMessage: `no route ${req.method} ${url}` }));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

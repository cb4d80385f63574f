import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `faasport dev` as a user runs it (a child process) with only the standard OTLP variables
// set, exporting to an OTLP/HTTP receiver this test runs: the shop's spans arrive.

const root = fileURLToPath(new URL('..', import.meta.url));
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

interface Received {
  readonly contentType: string;
  readonly body: Buffer;
}

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.method === 'POST') received.push({ contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
      const json = String(req.headers['content-type']).includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function startDev(env: Record<string, string>): Promise<{ child: ChildProcess; base: string; output: string[] }> {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dev', 'examples/shop/app.ts', '--port', '0', '--no-schedules', '--json'], {
    cwd: root,
    env: { ...process.env, ...env, OTEL_BSP_SCHEDULE_DELAY: '50' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`faasport dev did not start:\n${output.join('')}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());

      const m = /listening on (http:\/\/\S+)/.exec(output.join('').replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('exit', (code) => reject(new Error(`faasport dev exited with ${code}:\n${output.join('')}`)));
  });
  return { child, base, output };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Polls until `probe` holds, at most 15 s. */
async function waitFor(probe: () => boolean, what: () => string): Promise<void> {
  const until = Date.now() + 15_000;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const order = (id: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
  body: JSON.stringify({ id, item: 'book', qty: 1 }),
});

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
type Dev = Awaited<ReturnType<typeof startDev>>;
let json: { receiver: Receiver; dev: Dev };
let protobuf: { receiver: Receiver; dev: Dev };

// Both dev servers start at once: each takes seconds to load the app.
beforeAll(async () => {
  const start = async (env: (url: string) => Record<string, string>) => {
    const receiver = await startReceiver();
    return { receiver, dev: await startDev(env(receiver.url)) };
  };
  const started = await Promise.allSettled([
    start((url) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'shop-dev' })),
    start((url) => ({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces` })),
  ]);
  // Set what started, so afterAll stops it even when the other failed.
  if (started[0].status === 'fulfilled') json = started[0].value;
  if (started[1].status === 'fulfilled') protobuf = started[1].value;
  for (const s of started) if (s.status === 'rejected') throw s.reason;
}, 60_000);
afterAll(async () => {
  for (const run of [json, protobuf]) {
    await stop(run?.dev.child);
    run?.receiver.server.close();
  }
});

describe('faasport dev, OTEL_EXPORTER_OTLP_PROTOCOL=http/json', () => {
  const spans = (): JsonSpan[] =>
    json.receiver.received.flatMap((r) => {
      const body = JSON.parse(r.body.toString()) as { resourceSpans: { scopeSpans: { spans: JsonSpan[] }[] }[] };
      return body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    });

  it('says where spans go, then exports the whole trace of an order: HTTP → queue → consumer → topic → subscriber', async () => {
    const { receiver, dev } = json;
    const banner = `tracing: spans exported to ${receiver.url}/v1/traces (OTLP http/json) as service "shop-dev"`;
    await waitFor(
      () => dev.output.join('').includes(banner),
      () => `"${banner}" in the output:\n${dev.output.join('')}`,
    );
    expect((await fetch(`${dev.base}/orders`, order('o-1'))).status).toBe(202);
    const names = ['POST /orders', 'send orders', 'process orders', 'publish shipped', 'process shipped'];
    await waitFor(
      () => names.every((n) => spans().some((s) => s.name === n && s.traceId === TRACE_ID)),
      () =>
        `the spans ${names.join(', ')}; received: ${spans()
          .map((s) => s.name)
          .join(', ')}`,
    );
    const byName = new Map(
      spans()
        .filter((s) => s.traceId === TRACE_ID)
        .map((s) => [s.name, s]),
    );
    const [server, send, consume, publish, notify] = names.map((n) => byName.get(n)!);
    // OTLP span kinds: 2 SERVER, 4 PRODUCER, 5 CONSUMER.
    expect([server, send, consume, publish, notify].map((s) => s!.kind)).toEqual([2, 4, 5, 4, 5]);
    expect(server!.parentSpanId).toBe(CALLER_SPAN);
    expect(send!.parentSpanId).toBe(server!.spanId);
    expect(consume!.parentSpanId).toBe(send!.spanId);
    expect(publish!.parentSpanId).toBe(consume!.spanId);
    expect(notify!.parentSpanId).toBe(publish!.spanId);
    expect(server!.attributes).toContainEqual({ key: 'http.route', value: { stringValue: '/orders' } });
    expect(consume!.attributes).toContainEqual({ key: 'messaging.destination.name', value: { stringValue: 'orders' } });
    const resource = (
      JSON.parse(receiver.received[0]!.body.toString()) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] } }[] }
    ).resourceSpans[0]!.resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'shop-dev' } });
    expect(receiver.received[0]!.contentType).toMatch(/^application\/json/);
  });
});

describe('faasport dev, OTEL_EXPORTER_OTLP_PROTOCOL unset (http/protobuf, the default)', () => {
  it('posts protobuf carrying the trace id and the span names', async () => {
    const { receiver, dev } = protobuf;
    expect((await fetch(`${dev.base}/orders`, order('o-2'))).status).toBe(202);
    await waitFor(
      () => receiver.received.some((r) => r.body.includes(Buffer.from('process shipped'))),
      () => `a protobuf export with "process shipped" (${receiver.received.length} posts)`,
    );
    const all = Buffer.concat(receiver.received.map((r) => r.body));
    expect(receiver.received.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    // Protobuf carries ids as raw bytes and names as UTF-8.
    expect(all.includes(Buffer.from(TRACE_ID, 'hex'))).toBe(true);
    for (const name of ['POST /orders', 'send orders', 'process orders', 'publish shipped']) expect(all.includes(Buffer.from(name)), name).toBe(true);
    // The service name defaults to the app's.
    expect(all.includes(Buffer.from('shop'))).toBe(true);
  });
});

describe('faasport dev, an exporter package not installed', () => {
  it('stops with PACKAGE_MISSING naming the npm install line', () => {
    // Makes the package unresolvable to require.resolve, as if it were not installed.
    const dir = mkdtempSync(join(tmpdir(), 'faasport-otel-'));
    try {
      const hide = join(dir, 'hide-exporter.cjs');
      writeFileSync(
        hide,
        `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@opentelemetry/exporter-trace-otlp-http')) throw Object.assign(new Error('Cannot find module ' + request), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
`,
      );
      const run = spawnSync(
        process.execPath,
        ['--require', hide, '--import', 'tsx', 'src/cli.ts', 'dev', 'examples/shop/app.ts', '--port', '0', '--no-schedules'],
        {
          cwd: root,
          env: { ...process.env, NO_COLOR: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /needs the package "@opentelemetry\/exporter-trace-otlp-http", not installed here; run: npm install @opentelemetry\/exporter-trace-otlp-http \[PACKAGE_MISSING\]/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

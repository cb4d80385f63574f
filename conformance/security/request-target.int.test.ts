import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/index.js';
import { createLocalRuntime, serve, type RunningServer } from '../../adapters/local/index.js';
import { registerGcp } from '../../adapters/gcp/runtime/register-gcp.js';
import { serveRegistered, type ServedFunction } from '../../adapters/gcp/testing/serve-registered.js';

// Request targets and Host headers a client writes on the wire, which fetch() cannot send:
// absolute-form targets (servers must accept them), `*`, and Host values a URL would misread.
// The handler's URL keeps the path asked for and the host the server checked; junk gets 400.

function rawRequest(url: string, head: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(`${head}\r\nConnection: close\r\n\r\n`));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0);
      const head = out.slice(0, out.indexOf('\r\n\r\n'));
      let body = out.slice(out.indexOf('\r\n\r\n') + 4);
      if (/^transfer-encoding:\s*chunked/im.test(head)) {
        let decoded = '';
        for (;;) {
          const eol = body.indexOf('\r\n');
          const size = parseInt(body.slice(0, eol), 16);
          if (!size) break;
          decoded += body.slice(eol + 2, eol + 2 + size);
          body = body.slice(eol + 2 + size + 2);
        }
        body = decoded;
      }
      resolve({ status, body });
    });
  });
}

function whoami() {
  const app = createApp('target');
  // Any method: a method a Fetch Request cannot carry must still be refused before the handler.
  app.http('who', { method: '*', route: '/hello/:name', public: true }, (req, ctx) =>
    Response.json({ url: req.url, name: ctx.params.name, method: req.method }),
  );
  return app;
}

const servers: { name: string; start: () => Promise<{ url: string; close(): Promise<void> }> }[] = [
  {
    name: 'local',
    start: async () => {
      const runtime = createLocalRuntime(whoami(), { devApi: false, logSink: () => {} });
      const server: RunningServer = await serve((r) => runtime.fetch(r), { maxBodyBytes: 1024 });
      return { url: server.url, close: () => server.close() };
    },
  },
  {
    name: 'gcp',
    start: async () => {
      registerGcp(whoami(), { logSink: () => {}, production: true });
      const served: ServedFunction = await serveRegistered('who');
      return served;
    },
  },
];

describe.each(servers)('request targets on $name', ({ start }) => {
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('an absolute-form target reaches the route by its path; its authority does not become the host', async () => {
    const host = new URL(server.url).host;
    const res = await rawRequest(server.url, `GET http://evil.example/hello/ada?x=1 HTTP/1.1\r\nHost: ${host}`);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { url: string; name: string };
    expect(body.name).toBe('ada');
    expect(new URL(body.url).host).toBe(host);
    expect(new URL(body.url).pathname + new URL(body.url).search).toBe('/hello/ada?x=1');
  });

  it('a Host header with userinfo or a path does not become the URL host', async () => {
    const res = await rawRequest(server.url, 'GET /hello/ada HTTP/1.1\r\nHost: user@evil.example');
    expect(res.status).toBe(200);
    expect(new URL((JSON.parse(res.body) as { url: string }).url).host).not.toContain('evil');
  });

  it('a target that is neither a path nor an absolute URL is a 400, not a 500', async () => {
    const res = await rawRequest(server.url, `OPTIONS * HTTP/1.1\r\nHost: ${new URL(server.url).host}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  // Of the three methods a Fetch Request cannot carry, only TRACE reaches a Node request handler:
  // Node gives CONNECT to 'connect' listeners, and its parser answers TRACK (unknown to it) with 400.
  it('TRACE, which a Fetch Request cannot carry, is a typed 501 before the handler, not a 500', async () => {
    const res = await rawRequest(server.url, `TRACE /hello/ada HTTP/1.1\r\nHost: ${new URL(server.url).host}`);
    expect(res.status).toBe(501);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'METHOD_NOT_SUPPORTED' });
  });

  it('TRACK is refused by the server before any handler, not a 500', async () => {
    const res = await rawRequest(server.url, `TRACK /hello/ada HTTP/1.1\r\nHost: ${new URL(server.url).host}`);
    expect(res.status).toBe(400);
  });
});

import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from 'faasport';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { DRAIN_AFTER_REFUSAL_BYTES, readBody, serve, type RunningServer } from './node-http.js';

const LIMIT = 1024 * 1024;
/** What the server may read (and drop) past the limit: the drain allowance after a 413, plus socket reads in flight. */
const SLACK = DRAIN_AFTER_REFUSAL_BYTES + 512 * 1024;

let runtime: LocalRuntime | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  runtime?.stop();
  await server?.close();
  runtime = undefined;
  server = undefined;
});

interface Upload {
  calls: number;
  received: { bytes: number; encoding: string | null }[];
  /** Bytes each server-side connection read from the network. */
  serverRead(): number[];
}

async function start(): Promise<Upload> {
  const upload: Upload = { calls: 0, received: [], serverRead: () => sockets.map((s) => s.bytesRead) };
  const sockets: Socket[] = [];
  const app = createApp('limits');
  app.http('upload', { method: 'POST', route: '/upload' }, async (req) => {
    upload.calls++;
    const bytes = (await req.arrayBuffer()).byteLength;
    upload.received.push({ bytes, encoding: req.headers.get('content-encoding') });
    return Response.json({ bytes });
  });
  runtime = createLocalRuntime(app, { logSink: () => {}, production: true, maxBodyBytes: LIMIT });
  server = await serve((r) => runtime!.fetch(r), { maxBodyBytes: LIMIT });
  server.server.on('connection', (s: Socket) => sockets.push(s));
  return upload;
}

/**
 * Speaks raw HTTP/1.1: writes `head`, then body chunks from `chunks` while the server keeps the
 * connection open and the client has not seen a response. Resolves with the response text and
 * how many body bytes the kernel accepted.
 */
function rawRequest(head: string, chunks: Iterable<Buffer>): Promise<{ response: string; bodyBytesWritten: number }> {
  return new Promise((resolve) => {
    const socket = connect(server!.port, '127.0.0.1');
    let response = '';
    let written = 0;
    let closed = false;
    const finish = (): void => {
      if (closed) return;
      closed = true;
      socket.destroy();
      resolve({ response, bodyBytesWritten: written });
    };
    socket.on('data', (d: Buffer) => {
      response += d.toString('latin1');
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', async () => {
      socket.write(head);
      for (const chunk of chunks) {
        if (closed || socket.destroyed || response.length > 0) break;
        written += chunk.length;
        if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
      // Give the server a moment to answer what it received, then hang up.
      setTimeout(finish, 2_000).unref();
    });
  });
}

function* endless(chunk: Buffer, total: number, chunked: boolean): Iterable<Buffer> {
  const framed = chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
  for (let sent = 0; sent < total; sent += chunk.length) yield framed;
}

describe('HTTP body limits while reading (local dev server)', () => {
  it('a chunked body without Content-Length is cut at the limit: 413, handler never runs, nothing read far past the limit', async () => {
    const upload = await start();
    const { response, bodyBytesWritten } = await rawRequest(
      'POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n',
      endless(Buffer.alloc(64 * 1024, 7), 256 * 1024 * 1024, true),
    );
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"code":"PAYLOAD_TOO_LARGE"');
    expect(upload.calls).toBe(0);
    expect(Math.max(...upload.serverRead())).toBeLessThanOrEqual(LIMIT + SLACK);
    // The attacker could not push its 256 MB through: the server hung up.
    expect(bodyBytesWritten).toBeLessThan(LIMIT + SLACK + 8 * 1024 * 1024);
  });

  it('a Content-Length over the limit is refused before the body is read', async () => {
    const upload = await start();
    const declared = 512 * 1024 * 1024;
    const { response } = await rawRequest(
      `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${declared}\r\n\r\n`,
      endless(Buffer.alloc(64 * 1024, 1), declared, false),
    );
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain(`request body of ${declared} bytes exceeds the limit of ${LIMIT} bytes`);
    expect(upload.calls).toBe(0);
    expect(Math.max(...upload.serverRead())).toBeLessThanOrEqual(SLACK);
  });

  it('a Content-Length that lies low gives the handler only the declared bytes; the rest is refused as a bad request', async () => {
    const upload = await start();
    const { response } = await rawRequest(
      'POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n',
      endless(Buffer.alloc(64 * 1024, 65), 8 * 1024 * 1024, false),
    );
    expect(upload.received).toEqual([{ bytes: 100, encoding: null }]);
    // Node's parser reads the surplus as the next request and refuses it (the 200 may lose the race).
    expect(response).toContain('HTTP/1.1 400 Bad Request');
    expect(Math.max(...upload.serverRead())).toBeLessThanOrEqual(LIMIT + SLACK);
  });

  it('a gzip bomb reaches the handler compressed, never inflated by the runtime', async () => {
    const upload = await start();
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(LIMIT);
    const res = await fetch(`${server!.url}/upload`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/octet-stream' },
      body: bomb,
    });
    expect(res.status).toBe(200);
    expect(upload.received).toEqual([{ bytes: bomb.length, encoding: 'gzip' }]);
  });

  it('a compressed body over the limit is refused like any other', async () => {
    const upload = await start();
    const big = gzipSync(randomBytes(2 * LIMIT), { level: 1 });
    const res = await fetch(`${server!.url}/upload`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: big });
    expect(res.status).toBe(413);
    expect(upload.calls).toBe(0);
  });

  it.each([LIMIT + 1, 10 * LIMIT])('an honest client that sends %i bytes reads a clean 413 JSON answer', async (size) => {
    const upload = await start();
    const res = await fetch(`${server!.url}/upload`, { method: 'POST', body: new Uint8Array(size) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(upload.calls).toBe(0);
    // The connection stays usable for the next request on a new socket.
    expect((await fetch(`${server!.url}/upload`, { method: 'POST', body: new Uint8Array(LIMIT) })).status).toBe(200);
  });

  it('readBody keeps at most the limit: it stops pulling from the stream one chunk past it', async () => {
    const chunk = Buffer.alloc(64 * 1024, 3);
    let pulled = 0;
    const stream = new Readable({
      highWaterMark: 0,
      read() {
        pulled += chunk.length;
        this.push(pulled > 1024 * 1024 * 1024 ? null : chunk);
      },
    });
    const result = await readBody(stream as unknown as IncomingMessage, LIMIT);
    await new Promise((r) => setTimeout(r, 50));
    expect(result).toEqual({ ok: false, reason: 'too-large' });
    expect(pulled).toBeLessThanOrEqual(LIMIT + 2 * chunk.length);
  });
});

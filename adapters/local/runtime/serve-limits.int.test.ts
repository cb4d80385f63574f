import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVE_DEFAULTS, serve, type RunningServer } from './node-http.js';

// serve()'s caps on a real socket: the in-flight body budget is shared by all connections and
// given back when each answer is sent, so it bounds memory without leaking capacity.

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const echoSize = async (request: Request): Promise<Response> => Response.json({ bytes: (await request.arrayBuffer()).byteLength });

function stalledUpload(port: number, declared: number, send: number): Promise<{ socket: Socket; received: () => string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(`POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${declared}\r\n\r\n`);
      socket.write(Buffer.alloc(send), () => resolve({ socket, received: () => text }));
    });
  });
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i > 400) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('serve() resource caps', () => {
  it('applies its documented defaults to the node:http server', async () => {
    server = await serve(echoSize, { maxBodyBytes: 1024 });
    expect(server.server.maxConnections).toBe(SERVE_DEFAULTS.maxConnections);
    expect(server.server.headersTimeout).toBe(SERVE_DEFAULTS.headersTimeoutMs);
    expect(server.server.requestTimeout).toBe(SERVE_DEFAULTS.requestTimeoutMs);
    expect(SERVE_DEFAULTS).toEqual({ maxConnections: 512, maxInFlightBodyBytes: 64 * 1024 * 1024, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
  });

  it('a body that would pass the in-flight budget gets 503 SERVER_BUSY; the budget comes back when the holder is answered or hangs up', async () => {
    const budget = 1024 * 1024;
    server = await serve(echoSize, { maxBodyBytes: budget, maxInFlightBodyBytes: budget });
    const port = server.port;
    const first = await stalledUpload(port, 700_000, 600_000);
    await new Promise((r) => setTimeout(r, 100));
    const second = await stalledUpload(port, 700_000, 600_000);
    await until(() => second.received() !== '', 'the second upload to be refused');
    expect(second.received()).toMatch(/^HTTP\/1\.1 503 /);
    expect(second.received()).toMatch(/retry-after: 1/i);
    expect(second.received()).toContain('"code":"SERVER_BUSY"');
    // The first finishes and is answered: its bytes are given back.
    first.socket.write(Buffer.alloc(100_000));
    await until(() => first.received() !== '', 'the first upload to be answered');
    expect(first.received()).toMatch(/^HTTP\/1\.1 200 /);
    const ok = await fetch(`${server.url}/up`, { method: 'POST', body: new Uint8Array(900_000) });
    expect(await ok.json()).toEqual({ bytes: 900_000 });
    // A holder that hangs up mid-body gives its bytes back too.
    const quitter = await stalledUpload(port, 900_000, 800_000);
    await new Promise((r) => setTimeout(r, 100));
    quitter.socket.destroy();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await fetch(`${server.url}/up`, { method: 'POST', body: new Uint8Array(900_000) })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe(200);
    for (const s of [first, second]) s.socket.destroy();
  });

  it('the budget is never below one body of the largest size', async () => {
    server = await serve(echoSize, { maxBodyBytes: 2 * 1024 * 1024, maxInFlightBodyBytes: 1024 });
    const res = await fetch(`${server.url}/up`, { method: 'POST', body: new Uint8Array(2 * 1024 * 1024) });
    expect(res.status).toBe(200);
  });
});

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from './node-http.js';

// How serve() writes answers on a real socket: a string or bytes answer in one write with a
// Content-Length (the light Response path), a stream still streamed, HEAD without a body.

// FAASPORT_LIGHT_RESPONSE=0 (the standard Response) streams every body: chunked, no Content-Length.
const light = process.env.FAASPORT_LIGHT_RESPONSE !== '0';
let server: RunningServer;
let standard: typeof Response;
beforeAll(async () => {
  standard = globalThis.Response;
  server = await serve(
    async (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/json') return Response.json({ hello: 'world' }, { headers: { 'set-cookie': 'seen=1; Path=/' } });
      if (path === '/bytes') return new Response(Uint8Array.from([0, 1, 255]), { status: 201, headers: { 'content-type': 'application/octet-stream' } });
      if (path === '/late') {
        const res = Response.json([1]);
        res.headers.append('set-cookie', 'a=1');
        res.headers.append('set-cookie', 'b=2');
        return res;
      }
      return new Response(new Blob(['streamed']).stream(), { headers: { 'content-type': 'text/plain' } });
    },
    { maxBodyBytes: 1024 },
  );
});
afterAll(async () => {
  await server.close();
  globalThis.Response = standard;
});

function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve() answers', () => {
  it('sends a JSON answer with a Content-Length, not chunked, its Set-Cookie intact', async () => {
    const res = await get('/json');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"hello":"world"}');
    expect(res.headers['content-length']).toBe(light ? '17' : undefined);
    expect(res.headers['transfer-encoding']).toBe(light ? undefined : 'chunked');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['set-cookie']).toEqual(['seen=1; Path=/']);
  });

  it('sends bytes as they are, with the status', async () => {
    const res = await get('/bytes');
    expect(res.status).toBe(201);
    expect([...res.body]).toEqual([0, 1, 255]);
    expect(res.headers['content-length']).toBe(light ? '3' : undefined);
  });

  it('sends headers set after the Response was made, each Set-Cookie apart', async () => {
    const res = await get('/late');
    expect(res.body.toString()).toBe('[1]');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('still streams a stream body, and answers HEAD without a body', async () => {
    const streamed = await get('/stream');
    expect(streamed.body.toString()).toBe('streamed');
    expect(streamed.headers['transfer-encoding']).toBe('chunked');
    const head = await get('/json', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });
});

import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVE_DEFAULTS } from '../../adapters/local/runtime/node-http.js';
import { memoryMiB, startDev, type DevChild } from './dev-child.js';

// Bounded resources of a real `faasport dev` child process, attacked over real sockets. Memory
// is read from /proc/<pid>/status: VmHWM is the child's peak resident set, so a spike between
// two samples is not missed. No assertion depends on how long anything took.

const APP = 'conformance/security/dev-server-app.ts';
const MAX_BODY = 6 * 1024 * 1024;
/** The documented ceiling: 100 stalled near-limit uploads raise the peak RSS by less than this (README, RELIABILITY.md). */
const STALLED_UPLOADS_CEILING_MIB = 160;

/** A raw connection: what it received, and whether the server closed it. */
interface Raw {
  readonly socket: Socket;
  received(): string;
  readonly closed: Promise<void>;
}

function open(port: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Writes and resolves once the kernel took the bytes (or the connection is gone). */
function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const gone = (): void => resolve();
    socket.once('close', gone);
    socket.write(data, () => {
      socket.off('close', gone);
      resolve();
    });
  });
}

function status(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

/** Resolves when `done()` holds, checking every 50 ms; rejects after `limitMs` (a bound on the test, not an assertion about speed). */
async function until(done: () => boolean, limitMs: number, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 50) {
    if (waited > limitMs) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function get(base: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('faasport dev with default caps', () => {
  let dev: DevChild;
  let port: number;
  beforeAll(async () => {
    dev = await startDev([APP, '--port', '0', '--no-schedules']);
    port = Number(new URL(dev.url).port);
  }, 60_000);
  afterAll(() => dev?.stop());

  it(`100 stalled uploads just under the body limit stay under a memory ceiling (peak RSS + ${STALLED_UPLOADS_CEILING_MIB} MiB) while the server keeps answering`, async () => {
    for (let i = 0; i < 5; i++) expect((await get(dev.url, '/counts')).status).toBe(200);
    const pid = dev.child.pid!;
    const baseline = memoryMiB(pid, 'VmRSS');
    const nearLimit = Buffer.alloc(MAX_BODY - 1024, 97);
    const uploads = await Promise.all(Array.from({ length: 100 }, () => open(port)));
    // Each sends its headers and all but the last KiB of a 6 MiB body, then stalls.
    await Promise.all(
      uploads.map(async (u) => {
        await write(
          u.socket,
          `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${MAX_BODY}\r\n\r\n`,
        );
        await write(u.socket, nearLimit);
      }),
    );
    // Refused uploads are answered; give the server time to read what the others sent.
    const busy = (): number => uploads.filter((u) => status(u.received()) === 503).length;
    await until(
      () => busy() >= 100 - Math.ceil(SERVE_DEFAULTS.maxInFlightBodyBytes / nearLimit.length),
      60_000,
      'the uploads past the in-flight budget to be refused',
    );
    // Meanwhile other clients are served: the app, the dev API, and a small upload.
    expect((await get(dev.url, '/counts')).status).toBe(200);
    expect((await get(dev.url, '/_faasport/functions')).status).toBe(200);
    const small = await fetch(`${dev.url}/upload`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(1024) });
    expect(small.status).toBe(200);
    const peak = memoryMiB(pid, 'VmHWM');
    const held = uploads.filter((u) => u.received() === '').length;
    const others = uploads.filter((u) => u.received() !== '' && status(u.received()) !== 503).map((u) => u.received().slice(0, 40));
    for (const u of uploads) u.socket.destroy();
    console.log(
      `[figures] 100 stalled ${(nearLimit.length / 1024 / 1024).toFixed(2)} MiB uploads, default caps: ${held} held, ${busy()} refused 503 SERVER_BUSY; ` +
        `RSS ${baseline.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB (+${(peak - baseline).toFixed(0)} MiB)`,
    );
    expect(others).toEqual([]);
    expect(held).toBeLessThanOrEqual(Math.ceil(SERVE_DEFAULTS.maxInFlightBodyBytes / nearLimit.length));
    expect(peak - baseline).toBeLessThan(STALLED_UPLOADS_CEILING_MIB);
  }, 120_000);

  it('200 concurrent slow requests are all served', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => get(dev.url, '/slow')));
    expect(answers.filter((a) => a.status === 200 && a.text === 'done')).toHaveLength(200);
    console.log('[figures] 200 concurrent requests to a 300 ms handler, default caps: 200 answered 200');
  }, 60_000);

  it('malformed request lines get 400, headers past 16 KiB get 431, a body past the limit gets 413', async () => {
    const cases: [string, string | Buffer, number][] = [
      ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400],
      ['a space in the target', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n', 400],
      ['32 KiB of headers', `GET /counts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`, 431],
      ['a Content-Length past the limit', `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n`, 413],
    ];
    for (const [name, bytes, expected] of cases) {
      const raw = await open(port);
      await write(raw.socket, bytes);
      await until(() => raw.received().includes('\r\n\r\n'), 20_000, name);
      expect(status(raw.received()), name).toBe(expected);
      raw.socket.destroy();
    }
  });

  it('request smuggling is refused: Content-Length with Transfer-Encoding, two Content-Lengths, a bad chunk size; the smuggled request never runs', async () => {
    const before = (await get(dev.url, '/counts')).text;
    const smuggled = 'POST /_faasport/schedules/tick/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n';
    const cases: [string, string][] = [
      ['CL.TE', `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`],
      ['TE.CL', `POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: ${smuggled.length + 5}\r\n\r\n0\r\n\r\n${smuggled}`],
      ['two Content-Lengths', `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`],
      ['an obfuscated Transfer-Encoding', `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${smuggled}`],
      ['a bad chunk size', `POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${smuggled}`],
    ];
    for (const [name, bytes] of cases) {
      const raw = await open(port);
      await write(raw.socket, bytes);
      await until(() => raw.received().includes('\r\n\r\n'), 20_000, name);
      await Promise.race([raw.closed, new Promise((r) => setTimeout(r, 300))]);
      expect(status(raw.received()), name).toBe(400);
      expect(raw.received().match(/HTTP\/1\.1 /g), `${name}: one answer only`).toHaveLength(1);
      raw.socket.destroy();
    }
    expect((await get(dev.url, '/counts')).text).toBe(before);
  });
});

describe('faasport dev with short timeouts: slow clients are cut, not held', () => {
  let dev: DevChild;
  let port: number;
  beforeAll(async () => {
    dev = await startDev([APP, '--port', '0', '--no-schedules', '--headers-timeout', '1000', '--request-timeout', '2000']);
    port = Number(new URL(dev.url).port);
  }, 60_000);
  afterAll(() => dev?.stop());

  it('an upload that never finishes gets 408 at --request-timeout and its connection is closed', async () => {
    const raw = await open(port);
    await write(raw.socket, `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1000000\r\n\r\n`);
    await write(raw.socket, Buffer.alloc(500_000));
    await Promise.race([raw.closed, until(() => false, 30_000, 'the stalled upload to be closed')]);
    expect(status(raw.received())).toBe(408);
  });

  it('slowloris: 200 connections trickling headers are cut at --headers-timeout, memory stays flat, others are served meanwhile', async () => {
    const pid = dev.child.pid!;
    for (let i = 0; i < 5; i++) await get(dev.url, '/counts');
    const baseline = memoryMiB(pid, 'VmRSS');
    const slow = await Promise.all(Array.from({ length: 200 }, () => open(port)));
    let open200 = true;
    void Promise.all(slow.map((s) => s.closed)).then(() => (open200 = false));
    const trickle = (async () => {
      await Promise.all(slow.map((s) => write(s.socket, `GET /counts HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`)));
      for (let i = 0; i < 200 && open200; i++) {
        await Promise.all(slow.map((s) => write(s.socket, `X-${i}: ${'a'.repeat(10)}\r\n`)));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const served = await get(dev.url, '/counts');
    await Promise.race([Promise.all(slow.map((s) => s.closed)), until(() => false, 60_000, 'the slowloris connections to be cut')]);
    await trickle;
    const peak = memoryMiB(pid, 'VmHWM');
    const cut408 = slow.filter((s) => status(s.received()) === 408).length;
    console.log(
      `[figures] slowloris, 200 connections, --headers-timeout 1000: all 200 closed by the server (${cut408} with 408); RSS ${baseline.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB`,
    );
    expect(served.status).toBe(200);
    expect(slow.every((s) => s.socket.destroyed || s.socket.readableEnded)).toBe(true);
    expect(slow.every((s) => !/^HTTP\/1\.1 200/.test(s.received()))).toBe(true);
    expect(peak - baseline).toBeLessThan(32);
  }, 90_000);
});

describe('faasport dev --max-connections', () => {
  let dev: DevChild;
  let port: number;
  beforeAll(async () => {
    dev = await startDev([APP, '--port', '0', '--no-schedules', '--max-connections', '20']);
    port = Number(new URL(dev.url).port);
  }, 60_000);
  afterAll(() => dev?.stop());

  it('a connection past the cap is dropped; once others close, new ones are served', async () => {
    const held = await Promise.all(Array.from({ length: 20 }, () => open(port)));
    await Promise.all(held.map((h) => write(h.socket, 'GET /counts HTTP/1.1\r\nHost: 127.0.0.1\r\n')));
    const extra = await open(port);
    await write(extra.socket, `GET /counts HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await Promise.race([extra.closed, until(() => false, 20_000, 'the connection past the cap to be dropped')]);
    expect(extra.received()).toBe('');
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    let answer = 0;
    for (let i = 0; i < 40 && answer !== 200; i++) {
      answer = await get(dev.url, '/counts').then(
        (r) => r.status,
        () => 0,
      );
      if (answer !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(answer).toBe(200);
  });
});

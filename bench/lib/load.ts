import { connect, type Socket } from 'node:net';

/**
 * A small HTTP/1.1 load generator: `connections` keep-alive sockets, each sending one GET,
 * reading the whole answer (Content-Length or chunked), then the next. Returns completed
 * answers per second over `durationMs`, after `warmupMs` of the same load. Answers other than
 * 2xx fail the run: a server that refuses the requests must not look fast.
 */
export async function requestsPerSecond(
  port: number,
  path: string,
  options: { connections?: number; durationMs?: number; warmupMs?: number } = {},
): Promise<number> {
  const { connections = 10, durationMs = 2000, warmupMs = 500 } = options;
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: application/json\r\nConnection: keep-alive\r\n\r\n`, 'latin1');
  let counting = false;
  let stopped = false;
  let count = 0;
  let failure: Error | undefined;
  const sockets: Socket[] = [];
  const done: Promise<void>[] = [];
  for (let i = 0; i < connections; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    sockets.push(socket);
    done.push(
      new Promise<void>((resolve) => {
        let pending: Buffer = Buffer.alloc(0);
        socket.on('connect', () => socket.write(request));
        socket.on('error', (err) => {
          if (!stopped) failure ??= err;
          resolve();
        });
        socket.on('close', () => resolve());
        socket.on('data', (chunk: Buffer) => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
          for (;;) {
            const used = answerLength(pending);
            if (used === 0) return;
            if (used < 0) {
              failure ??= new Error(`load: answer ${pending.subarray(0, 40).toString('latin1')}...`);
              socket.destroy();
              return;
            }
            pending = pending.subarray(used);
            if (counting) count++;
            if (stopped) {
              socket.end();
              return;
            }
            socket.write(request);
          }
        });
      }),
    );
  }
  await new Promise((r) => setTimeout(r, warmupMs));
  counting = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const elapsed = performance.now() - started;
  counting = false;
  stopped = true;
  const last = count;
  await Promise.race([Promise.all(done), new Promise((r) => setTimeout(r, 2000))]);
  for (const s of sockets) s.destroy();
  if (failure) throw failure;
  return (last / elapsed) * 1000;
}

/** Bytes of one complete answer at the start of `buf`; 0 when incomplete; -1 when not a 2xx. */
function answerLength(buf: Buffer): number {
  const head = buf.indexOf('\r\n\r\n');
  if (head === -1) return 0;
  const headers = buf.toString('latin1', 0, head);
  if (!/^HTTP\/1\.1 2\d\d /.test(headers)) return -1;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
  if (length) {
    const end = head + 4 + Number(length[1]);
    return buf.length >= end ? end : 0;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(headers)) {
    const end = buf.indexOf('\r\n0\r\n\r\n', head + 2);
    return end === -1 ? 0 : end + 7;
  }
  return -1;
}

import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConformanceApp } from '../functions/app.js';
import type { ConformanceDriver, ConformanceHarness } from '../harness.js';
import { HARNESSES } from './harnesses.js';

/** A gzip body that inflates to `inflated` zero bytes (about 1000:1). */
function bomb(inflated: number): Uint8Array<ArrayBuffer> {
  const chunk = Buffer.alloc(Math.min(inflated, 16 * 1024 * 1024));
  const parts: Buffer[] = [];
  for (let left = inflated; left > 0; left -= chunk.length) parts.push(left >= chunk.length ? chunk : chunk.subarray(0, left));
  return new Uint8Array(gzipSync(Buffer.concat(parts), { level: 9 }));
}

describe.each(HARNESSES)('HTTP body limits on $name', ({ load }) => {
  let harness: ConformanceHarness;
  let driver: ConformanceDriver;
  beforeAll(async () => {
    harness = await load();
    driver = await harness.start(createConformanceApp({ fifo: harness.adapter.capabilities.fifo }), { production: true });
  }, 120_000);
  afterAll(async () => {
    await driver?.stop();
  }, 60_000);

  it('a gzip bomb that inflates to twice the limit is never inflated past it', async () => {
    const limit = harness.adapter.capabilities.maxHttpBodyBytes;
    const body = bomb(2 * limit);
    expect(body.length).toBeLessThan(limit);
    const res = await driver.fetch(
      new Request('http://platform.test/echo/bomb', {
        method: 'POST',
        headers: { 'content-encoding': 'gzip', 'content-type': 'application/octet-stream' },
        body,
      }),
    );
    // Either the runtime refuses it, or the handler gets at most the limit (the compressed bytes).
    process.stdout.write(`[figures] gzip bomb on ${harness.adapter.name}: ${body.length} B compressed, ${2 * limit} B inflated → ${res.status}\n`);
    if (res.status === 413) return;
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { bodyLength: number };
    expect(echo.bodyLength).toBeLessThanOrEqual(limit);
    expect(echo.bodyLength).toBe(body.length);
  }, 120_000);

  it('a body one byte over the limit is refused with 413 and never reaches the handler', async () => {
    const limit = harness.adapter.capabilities.maxHttpBodyBytes;
    const res = await driver.fetch(
      new Request('http://platform.test/echo/over', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: new Uint8Array(limit + 1),
      }),
    );
    expect(res.status).toBe(413);
  }, 120_000);
});

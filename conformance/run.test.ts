import { describe, expect, it } from 'vitest';
import { defineAdapter } from '../src/index.js';
import { localHarness } from '../adapters/local/harness.js';
import { buildMatrix, matrixOk, matrixToMarkdown } from './matrix.js';
import { runCases } from './run.js';
import type { ConformanceHarness } from './harness.js';

// The local runtime with FIFO switched off in its declared capabilities: a real runtime,
// used to check that capability gating turns the FIFO case into a refusal check.
function localWithoutFifo(): ConformanceHarness {
  const base = localHarness();
  return { ...base, adapter: defineAdapter({ name: 'local-nofifo', capabilities: { ...base.adapter.capabilities, fifo: false } }) };
}

describe('conformance runner', () => {
  it('marks unsupported capabilities, expected failures and unexpected passes, with reasons', async () => {
    const results = await runCases(localWithoutFifo(), [
      { test: 'http > unknown route answers 404 JSON', reason: 'pretend this platform cannot answer 404' },
    ]);
    const byTest = new Map(results.map((r) => [r.test, r]));
    expect(byTest.get('queue > FIFO keeps order within a group, even across a retry')).toMatchObject({ status: 'unsupported', reason: 'no FIFO / ordering keys on this platform' });
    expect(byTest.get('http > unknown route answers 404 JSON')).toMatchObject({ status: 'unexpected-pass', reason: expect.stringMatching(/remove the expected failure/) });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);

    const matrix = buildMatrix([{ adapter: 'local-nofifo', results }, { adapter: 'ghost', unavailable: 'module not found', results: [] }]);
    expect(matrixOk(matrix)).toBe(false);
    const md = matrixToMarkdown(matrix);
    expect(md).toMatch(/unsupported \[\d+\]/);
    expect(md).toMatch(/local-nofifo — queue > FIFO keeps order within a group, even across a retry: no FIFO/);
    expect(md).toMatch(/ghost was not run: module not found/);
  }, 60_000);

  it('refuses expected failures that name no test or give no reason', async () => {
    await expect(runCases(localHarness(), [{ test: 'http > nope', reason: 'a long enough reason' }])).rejects.toThrow(/names no conformance test/);
    await expect(runCases(localHarness(), [{ test: 'http > unknown route answers 404 JSON', reason: '' }])).rejects.toThrow(/needs a reason/);
  });
});

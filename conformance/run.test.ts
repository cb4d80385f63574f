import { describe, expect, it } from 'vitest';
import { defineAdapter } from '../src/index.js';
import { localHarness } from '../adapters/local/testing/harness.js';
import { buildMatrix, matrixOk, matrixToMarkdown } from './matrix.js';
import { failureReason, HarnessNotStartedError, runCases } from './run.js';
import assert from 'node:assert/strict';
import type { ConformanceHarness } from './harness.js';

// The local runtime with FIFO switched off in its declared capabilities: a real runtime,
// used to check that capability gating turns the FIFO case into a refusal check. The name
// stays 'local': the context case checks that ctx.provider names the adapter.
function localWithoutFifo(): ConformanceHarness {
  const base = localHarness();
  return { ...base, adapter: defineAdapter({ name: 'local', capabilities: { ...base.adapter.capabilities, fifo: false } }) };
}

describe('conformance runner', () => {
  it('marks unsupported capabilities, expected failures and unexpected passes, with reasons', async () => {
    const results = await runCases(localWithoutFifo(), [{ test: 'http > unknown route answers 404 JSON', reason: 'pretend this platform cannot answer 404' }]);
    const byTest = new Map(results.map((r) => [r.test, r]));
    expect(byTest.get('queue > FIFO keeps order within a group, even across a retry')).toMatchObject({
      status: 'unsupported',
      reason: 'no FIFO / ordering keys on this platform',
    });
    expect(byTest.get('http > unknown route answers 404 JSON')).toMatchObject({
      status: 'unexpected-pass',
      reason: expect.stringMatching(/remove the expected failure/),
    });
    // The local runtime has no storage service: nothing to deliver, nothing to refuse.
    expect(byTest.get("event > a storage notification in the platform's own format arrives as a CloudEvent naming bucket and object")).toMatchObject({
      status: 'unsupported',
      reason: 'the platform has no storage service whose notifications could be delivered',
    });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);

    const matrix = buildMatrix([
      { adapter: 'local-nofifo', results },
      { adapter: 'ghost', unavailable: 'module not found', results: [] },
    ]);
    expect(matrixOk(matrix)).toBe(false);
    const md = matrixToMarkdown(matrix);
    expect(md).toMatch(/unsupported \[\d+\]/);
    expect(md).toMatch(/local-nofifo — queue > FIFO keeps order within a group, even across a retry: no FIFO/);
    expect(md).toMatch(/ghost was not run: module not found/);
  }, 60_000);

  it('gates whole groups by the trigger kinds an adapter declares, and still runs the rest', async () => {
    const base = localHarness();
    const httpAndQueuesOnly: ConformanceHarness = {
      ...base,
      adapter: defineAdapter({ name: 'local', capabilities: { ...base.adapter.capabilities, topics: false, schedules: false, events: false } }),
    };
    const results = await runCases(httpAndQueuesOnly);
    const status = (group: string) => results.filter((r) => r.group === group).map((r) => r.status);
    for (const group of ['topic', 'schedule', 'event']) {
      expect(status(group).length, group).toBeGreaterThan(0);
      expect(new Set(status(group)), group).toEqual(new Set(['unsupported']));
    }
    expect(results.find((r) => r.group === 'schedule')!.reason).toBe('the adapter declares no schedules capability');
    // The local harness has no producers but faasport's: that case is a harness gap, whatever the capabilities.
    const gaps = results.filter((r) => r.status === 'unsupported' && r.group === 'queue');
    expect(gaps.map((r) => r.reason)).toEqual(['the platform has no producers of its own: every message on it is sent by faasport']);
    for (const group of ['http', 'queue', 'context', 'errors']) {
      expect(new Set(results.filter((r) => r.group === group && !gaps.includes(r)).map((r) => r.status)), group).toEqual(new Set(['pass']));
    }

    const noHttp: ConformanceHarness = { ...base, adapter: defineAdapter({ name: 'local', capabilities: { ...base.adapter.capabilities, http: false } }) };
    const withoutHttp = await runCases(noHttp);
    const queueCase = withoutHttp.find((r) => r.group === 'queue')!;
    expect(queueCase).toMatchObject({
      status: 'unsupported',
      reason: 'the adapter declares no http capability (the queue cases are driven through an HTTP function)',
    });
    expect(withoutHttp.filter((r) => r.group === 'schedule' || r.group === 'event').map((r) => r.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
      'unsupported',
      'pass',
    ]);
    expect(withoutHttp.filter((r) => r.status === 'fail')).toEqual([]);
  }, 120_000);

  it('a harness that never starts is one error for the run, not a FAIL or an expected failure per case', async () => {
    // A real harness whose emulator is missing: its start fails the way a missing package does.
    const base = localHarness();
    const missing = Object.assign(new Error("Cannot find package 'fauxqs' imported from /x/harness.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const broken: ConformanceHarness = {
      ...base,
      start: async () => {
        throw missing;
      },
    };
    const run = runCases(broken, [{ test: 'http > unknown route answers 404 JSON', reason: 'an expected failure must not hide a harness that never started' }]);
    await expect(run).rejects.toBeInstanceOf(HarnessNotStartedError);
    await expect(run).rejects.toMatchObject({
      message: expect.stringMatching(/^the local harness did not start: Cannot find package 'fauxqs'/),
      cause: missing,
    });
  });

  it('refuses expected failures that name no test or give no reason', async () => {
    await expect(runCases(localHarness(), [{ test: 'http > nope', reason: 'a long enough reason' }])).rejects.toThrow(/names no conformance test/);
    await expect(runCases(localHarness(), [{ test: 'http > unknown route answers 404 JSON', reason: '' }])).rejects.toThrow(/needs a reason/);
  });

  it('a failed assertion is reported with what was expected and what came, not its first line alone', () => {
    let thrown: unknown;
    try {
      assert.deepEqual({ status: 404 }, { status: 200 });
    } catch (err) {
      thrown = err;
    }
    expect(failureReason(thrown)).toMatch(/^Expected values to be strictly deep-equal:.* \(expected \{ status: 200 \}, got \{ status: 404 \}\)$/);
    expect(failureReason(new Error('first\nsecond'))).toBe('first');
  });
});

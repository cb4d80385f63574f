import { inspect } from 'node:util';
import type { Capabilities } from '../src/index.js';
import { assertRefused, cases, harnessGap, requirement, type CaseEnv, type ConformanceCase, type Group } from './cases.js';
import { createConformanceApp } from './functions/app.js';
import type { ConformanceDriver, ConformanceHarness, ExpectedFailure } from './harness.js';

export type CellStatus = 'pass' | 'fail' | 'expected-failure' | 'unexpected-pass' | 'unsupported';

export interface CaseResult {
  readonly group: Group;
  readonly name: string;
  /** `<group> > <name>`: the id expected failures refer to. */
  readonly test: string;
  readonly status: CellStatus;
  /** Why it is not a pass: the error, the expected-failure reason or the missing capability. */
  readonly reason?: string;
  readonly durationMs: number;
}

export const testId = (c: Pick<ConformanceCase, 'group' | 'name'>): string => `${c.group} > ${c.name}`;

/** Shared start/stop of drivers for one adapter run, and the unhandled-rejection watch. */
class Session {
  #driver: Promise<ConformanceDriver> | undefined;
  readonly #extra: Promise<ConformanceDriver>[] = [];
  readonly unhandled: unknown[] = [];
  readonly #onUnhandled = (reason: unknown): void => {
    this.unhandled.push(reason);
  };

  constructor(private readonly harness: ConformanceHarness) {
    process.on('unhandledRejection', this.#onUnhandled);
  }

  /** Why the harness never started, once its start failed. */
  startError: unknown;

  async ready(): Promise<CaseEnv> {
    const caps = this.harness.adapter.capabilities;
    this.#driver ??= this.harness.start(createConformanceApp(caps), { production: false }).catch((err: unknown) => {
      this.startError = err;
      throw err;
    });
    const driver = await this.#driver;
    return {
      driver,
      adapterName: this.harness.adapter.name,
      capabilities: caps,
      production: () => {
        const p = this.harness.start(createConformanceApp(caps), { production: true });
        this.#extra.push(p);
        return p;
      },
    };
  }

  async stop(): Promise<void> {
    process.off('unhandledRejection', this.#onUnhandled);
    const drivers = await Promise.allSettled([...(this.#driver ? [this.#driver] : []), ...this.#extra]);
    for (const d of drivers) if (d.status === 'fulfilled') await d.value.stop();
  }
}

async function runCase(session: Session, c: ConformanceCase): Promise<void> {
  await c.run(await session.ready());
}

function expectation(expected: readonly ExpectedFailure[], c: ConformanceCase): ExpectedFailure | undefined {
  return expected.find((e) => e.test === testId(c));
}

export interface RunConformanceOptions {
  /** The test-registering function of your runner (vitest `test`/`it`, node:test `test`). */
  readonly test: (name: string, fn: () => Promise<void>, timeout?: number) => unknown;
  /** Optional grouping function (vitest `describe`). */
  readonly describe?: (name: string, fn: () => void) => unknown;
  readonly harness: ConformanceHarness;
  /** Tests this adapter is known to fail, each with its reason. */
  readonly expectedFailures?: readonly ExpectedFailure[];
  /** Per-test timeout passed to `test`, ms (default 60 000). */
  readonly timeoutMs?: number;
}

/**
 * Registers the conformance suite for one adapter with your test runner: every case, grouped
 * by trigger; cases needing a capability the adapter lacks instead prove that the capability
 * is refused; expected failures must fail (and fail the run if they start passing); a final
 * test stops the runtime and fails on any unhandled rejection seen during the run.
 *
 * @example
 * ```ts
 * import { describe, test } from 'vitest';
 * import { runConformance } from 'faasport/conformance';
 * import { myHarness } from './harness.js';
 *
 * runConformance({ test, describe, harness: myHarness(), expectedFailures: [] });
 * ```
 */
export function runConformance(options: RunConformanceOptions): void {
  const { test, harness } = options;
  const expected = options.expectedFailures ?? [];
  const describe = options.describe ?? ((_name: string, fn: () => void) => fn());
  const timeout = options.timeoutMs ?? 60_000;
  checkExpectedFailures(expected);
  const session = new Session(harness);
  describe(`conformance: ${harness.adapter.name}`, () => {
    const groups = [...new Set(cases.map((c) => c.group))];
    for (const group of groups) {
      describe(group, () => {
        for (const c of cases.filter((x) => x.group === group)) {
          // Nothing to run and nothing to refuse: the matrix reports it as unsupported, with the reason.
          if (harnessGap(c, harness)) continue;
          const missing = requirement(c, harness.adapter.capabilities);
          if (missing) {
            test(
              `${c.name} — unsupported (${missing.reason}): refused at definition time`,
              async () => assertRefused(harness.adapter, missing.define),
              timeout,
            );
            continue;
          }
          const xfail = expectation(expected, c);
          if (xfail) {
            test(
              `${c.name} — expected failure (${xfail.reason})`,
              async () => {
                let passed = false;
                try {
                  await runCase(session, c);
                  passed = true;
                } catch {
                  /* the known failure */
                }
                if (passed) throw new Error(`"${testId(c)}" now passes on ${harness.adapter.name}: remove it from the expected failures`);
              },
              timeout,
            );
            continue;
          }
          test(c.name, () => runCase(session, c), timeout);
        }
      });
    }
    test(
      'stops cleanly with no unhandled rejection during the run',
      async () => {
        await session.stop();
        if (session.unhandled.length > 0) {
          throw new Error(`unhandled rejections during the run: ${session.unhandled.map((u) => (u as Error)?.message ?? String(u)).join('; ')}`);
        }
      },
      timeout,
    );
  });
}

/** Runs every case against one harness without a test framework: the matrix command uses this. */
/** `runCases` could not start the harness (an emulator missing or failing), so no case ran. */
export class HarnessNotStartedError extends Error {
  constructor(adapter: string, cause: unknown) {
    super(`the ${adapter} harness did not start: ${firstLine(cause)}`, { cause });
    this.name = 'HarnessNotStartedError';
  }
}

export async function runCases(harness: ConformanceHarness, expected: readonly ExpectedFailure[] = [], timeoutMs = 60_000): Promise<CaseResult[]> {
  checkExpectedFailures(expected);
  const session = new Session(harness);
  const results: CaseResult[] = [];
  try {
    for (const c of cases) {
      const started = Date.now();
      const base = { group: c.group, name: c.name, test: testId(c) };
      const gap = harnessGap(c, harness);
      if (gap) {
        results.push({ ...base, status: 'unsupported', reason: gap, durationMs: 0 });
        continue;
      }
      const missing = requirement(c, harness.adapter.capabilities);
      if (missing) {
        try {
          assertRefused(harness.adapter, missing.define);
          results.push({ ...base, status: 'unsupported', reason: missing.reason, durationMs: Date.now() - started });
        } catch (err) {
          results.push({ ...base, status: 'fail', reason: `capability not refused: ${(err as Error).message}`, durationMs: Date.now() - started });
        }
        continue;
      }
      const xfail = expectation(expected, c);
      try {
        await withTimeout(runCase(session, c), timeoutMs, base.test);
        results.push(
          xfail
            ? { ...base, status: 'unexpected-pass', reason: `passes now; remove the expected failure (${xfail.reason})`, durationMs: Date.now() - started }
            : { ...base, status: 'pass', durationMs: Date.now() - started },
        );
      } catch (err) {
        // A harness that never started tells nothing about any case: no FAIL and no expected
        // failure for each of them, one error for the run.
        if (session.startError !== undefined) throw new HarnessNotStartedError(harness.adapter.name, session.startError);
        results.push(
          xfail
            ? { ...base, status: 'expected-failure', reason: xfail.reason, durationMs: Date.now() - started }
            : { ...base, status: 'fail', reason: failureReason(err), durationMs: Date.now() - started },
        );
      }
    }
  } finally {
    await session.stop();
  }
  if (session.unhandled.length > 0) {
    results.push({
      group: 'errors',
      name: 'no unhandled rejection during the run',
      test: 'errors > no unhandled rejection during the run',
      status: 'fail',
      reason: session.unhandled.map(firstLine).join('; '),
      durationMs: 0,
    });
  }
  return results;
}

/**
 * Why a case failed, in one line: the error's first line and, for an assertion, what was
 * expected and what came (an assertion's first line alone often says neither).
 */
export function failureReason(err: unknown): string {
  const first = firstLine(err);
  const e = err as { expected?: unknown; actual?: unknown } | null;
  if (e === null || typeof e !== 'object' || !('expected' in e) || !('actual' in e)) return first;
  const show = (v: unknown) => inspect(v, { depth: 3, breakLength: Infinity, maxStringLength: 200, maxArrayLength: 10 });
  return `${first} (expected ${show(e.expected)}, got ${show(e.actual)})`.slice(0, 600);
}

function firstLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0]!.slice(0, 300);
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name}: timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

function checkExpectedFailures(expected: readonly ExpectedFailure[]): void {
  const known = new Set(cases.map(testId));
  for (const e of expected) {
    if (!known.has(e.test)) throw new Error(`expected failure "${e.test}" names no conformance test; known tests: ${[...known].join(' | ')}`);
    if (!e.reason || e.reason.trim().length < 10) throw new Error(`expected failure "${e.test}" needs a reason a user can read`);
  }
}

export type { Capabilities };

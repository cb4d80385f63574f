import { performance } from 'node:perf_hooks';
import type { App } from '../app.js';
import type { HttpFunctionDefinition } from '../definitions.js';
import { importEntry } from '../package-entry.js';

/** Local timings of an app's functions, ms per invocation (median of several runs, rounded up). */
export interface Measurement {
  readonly durations: Readonly<Record<string, number>>;
  /** Functions that were not run, and why. */
  readonly skipped: Readonly<Record<string, string>>;
}

const RUNS = 5;

/**
 * Runs the app's HTTP and schedule functions in the local runtime (adapters/local) on sample
 * input and times them. An estimate: this machine is not a cloud instance, the sample input
 * is not real traffic (route parameters are "sample", bodies `{}`), and queue, topic and event
 * consumers are not run because no sample message can stand for the app's own message types.
 */
export async function measureApp(app: App): Promise<Measurement> {
  const { createLocalRuntime } = await importEntry<typeof import('faasport/local')>('local');
  const runtime = createLocalRuntime(app, { logSink: () => {}, devApi: false });
  const durations: Record<string, number> = {};
  const skipped: Record<string, string> = {};
  try {
    for (const f of app.functions) {
      switch (f.kind) {
        case 'http': {
          const { method, url, body } = sampleRequest(f);
          durations[f.name] = await time(async () => {
            const res = await runtime.fetch(new Request(url, { method, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) }));
            await res.arrayBuffer();
          });
          break;
        }
        case 'schedule':
          durations[f.name] = await time(async () => {
            await runtime.runSchedule(f.name);
          });
          break;
        default:
          skipped[f.name] = `${f.kind} consumers need a real message; --duration-ms applies`;
      }
    }
  } finally {
    runtime.stop();
  }
  return { durations, skipped };
}

function sampleRequest(f: HttpFunctionDefinition): { method: string; url: string; body: string | undefined } {
  const method = f.methods === '*' ? 'GET' : (f.methods.find((m) => m !== 'HEAD' && m !== 'OPTIONS') ?? f.methods[0] ?? 'GET');
  const path = f.route.route.replace(/:[A-Za-z0-9_]+/g, 'sample').replace(/\*$/, 'sample');
  return { method, url: `http://localhost${path}`, body: ['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined };
}

async function time(run: () => Promise<void>): Promise<number> {
  await run(); // warm-up: module loading and first-call work are not the steady state
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return Math.max(1, Math.ceil(samples[Math.floor(RUNS / 2)]!));
}

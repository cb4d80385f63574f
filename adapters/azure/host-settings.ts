import type { App, QueueDefinition } from '../../src/index.js';

/** The app-wide Storage queue settings of host.json (`extensions.queues`), derived from the definitions. */
export interface HostQueueSettings {
  /** Deliveries before the host itself moves a message to `<queue>-poison`. */
  readonly maxDequeueCount: number;
  /** Delay before a failed message is visible again, ms. */
  readonly visibilityTimeoutMs: number;
  /** Messages fetched and run in parallel per queue (1-32). */
  readonly batchSize: number;
}

/**
 * host.json applies one queue policy to every queue, so: `maxDequeueCount` is the largest
 * `maxAttempts` (the adapter dead-letters a queue with fewer attempts itself, on its last
 * attempt, with the real error); the retry delay is the smallest first backoff step (Storage
 * retries after a fixed visibility timeout, it has no exponential backoff); `batchSize` the
 * largest asked for, within Storage's 32.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { hostQueueSettings } from 'faasport/azure';
 * const app = createApp('shop');
 * app.queue('orders', { maxAttempts: 3 });
 * hostQueueSettings(app).maxDequeueCount; // 3
 * ```
 */
export function hostQueueSettings(app: App): HostQueueSettings {
  const sources: QueueDefinition[] = [...app.queues, ...app.topics];
  if (sources.length === 0) return { maxDequeueCount: 5, visibilityTimeoutMs: 0, batchSize: 16 };
  return {
    maxDequeueCount: Math.max(...sources.map((q) => q.maxAttempts)),
    visibilityTimeoutMs: Math.min(...sources.map((q) => (q.backoff ? q.backoff.initialDelayMs : 0))),
    batchSize: Math.min(32, Math.max(...sources.map((q) => q.batchSize))),
  };
}

/** A .NET TimeSpan string (`[d.]hh:mm:ss[.fff]`), the form host.json durations take. */
export function toTimeSpan(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const rest = ms % 86_400_000;
  const hh = String(Math.floor(rest / 3_600_000)).padStart(2, '0');
  const mm = String(Math.floor((rest % 3_600_000) / 60_000)).padStart(2, '0');
  const ss = String(Math.floor((rest % 60_000) / 1000)).padStart(2, '0');
  const frac = rest % 1000 ? `.${String(rest % 1000).padStart(3, '0')}` : '';
  return `${days ? `${days}.` : ''}${hh}:${mm}:${ss}${frac}`;
}

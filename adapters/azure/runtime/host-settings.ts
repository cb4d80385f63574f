import { retriedConsumers, type App, type QueueDefinition } from 'faasport';
import { POISON_SUFFIX, storageQueueName } from './names.js';

/** The app-wide Storage queue settings of host.json (`extensions.queues`), derived from the definitions. */
export interface HostQueueSettings {
  /** Deliveries before the host itself moves a message to `<queue>-poison`. */
  readonly maxDequeueCount: number;
  /** Delay before a failed message is visible again, ms. */
  readonly visibilityTimeoutMs: number;
  /** Messages fetched and run in parallel per queue (1-32). */
  readonly batchSize: number;
  /**
   * How the host reads message text: `none`, as sent. The host's default, `base64`, sends
   * every plain-text message (what `@azure/storage-queue`'s `sendMessage` writes by default)
   * to `<queue>-poison` before any function runs; faasport decodes base64 text holding JSON
   * itself (see fromStorageQueueText).
   */
  readonly messageEncoding: 'none';
}

/**
 * host.json applies one queue policy to every queue, so: `maxDequeueCount` is the largest
 * `maxAttempts` (the adapter dead-letters a queue with fewer attempts itself, on its last
 * attempt, with the real error); the retry delay is the smallest first backoff step (Storage
 * retries after a fixed visibility timeout, it has no exponential backoff); `batchSize` the
 * largest asked for, within Storage's 32; message text read as sent (`messageEncoding: none`).
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
  if (sources.length === 0) return { maxDequeueCount: 5, visibilityTimeoutMs: 0, batchSize: 16, messageEncoding: 'none' };
  return {
    maxDequeueCount: Math.max(...sources.map((q) => q.maxAttempts)),
    visibilityTimeoutMs: Math.min(...sources.map((q) => (q.backoff ? q.backoff.initialDelayMs : 0))),
    batchSize: Math.min(32, Math.max(...sources.map((q) => q.batchSize))),
    messageEncoding: 'none',
  };
}

/**
 * One build-log line per queue consumer and topic subscriber: who dead-letters a message
 * that keeps failing. host.json holds one `maxDequeueCount` for the whole app (the largest
 * `maxAttempts`), so a queue with fewer attempts is dead-lettered by faasport, which reads
 * the dequeue count of each delivery.
 */
export function retryEnforcement(app: App): string[] {
  const host = hostQueueSettings(app).maxDequeueCount;
  return retriedConsumers(app).map(({ fn, label }) => {
    const storageQueue = fn.kind === 'queue' ? storageQueueName(fn.source.name) : storageQueueName(fn.source.name, fn.name);
    const hostLine = `the host moves a message to ${storageQueue}${POISON_SUFFIX} after ${host} dequeues (host.json maxDequeueCount, one for the app)`;
    const n = fn.source.maxAttempts;
    if (!fn.source.deadLetter) return `azure: ${label}: ${hostLine}; faasport deletes it after attempt ${n} (deadLetter: false)`;
    if (n < host) return `azure: ${label}: ${hostLine}; faasport dead-letters at ${n}, with the handler's error`;
    return `azure: ${label}: ${hostLine}; faasport writes the dead-letter envelope with the handler's error on that attempt, before the host would`;
  });
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

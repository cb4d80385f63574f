import type { ErrorSummary, LogRecord } from 'faasport';

/** One finished invocation, as the dashboard lists it and draws it in a trace. */
export interface InvocationRecord {
  readonly invocationId: string;
  readonly functionName: string;
  readonly trigger: 'http' | 'queue' | 'topic' | 'schedule' | 'event';
  /** The route, queue, topic, schedule or event type that triggered it. */
  readonly source: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: 'ok' | 'error';
  /** HTTP only: the answer's status (5xx counts as an error). */
  readonly status?: number;
  readonly attempt: number;
  readonly coldStart: boolean;
  readonly traceId: string;
  readonly spanId: string;
  /** The span that called it (the HTTP caller, the producer of a message), when known. */
  readonly parentSpanId: string | null;
  /** Queue, topic and event deliveries: the message id. */
  readonly messageId?: string;
  readonly error?: ErrorSummary;
}

export interface InvocationFeedOptions {
  /** Invocations kept, newest last (default 500); the oldest leave with their log lines. */
  readonly capacity?: number;
  /** Log lines kept per invocation (default 50); more are counted, not kept. */
  readonly maxLogLines?: number;
}

export type InvocationListener = (record: InvocationRecord) => void;

/**
 * The recent invocations of a local runtime and their log lines, in memory, for the dev
 * dashboard: bounded in count and lines, and pushed to listeners (the dashboard's
 * server-sent events) as each one ends.
 */
export class InvocationFeed {
  readonly #capacity: number;
  readonly #maxLogLines: number;
  readonly #records: InvocationRecord[] = [];
  /** Lines by invocation id; an invocation's lines arrive before its record does. */
  readonly #logs = new Map<string, { lines: LogRecord[]; dropped: number }>();
  readonly #listeners = new Set<InvocationListener>();

  constructor(options: InvocationFeedOptions = {}) {
    this.#capacity = options.capacity ?? 500;
    this.#maxLogLines = options.maxLogLines ?? 50;
  }

  /** Keeps a log line of an invocation (records without an invocation id are the runtime's own, and not kept). */
  log(record: LogRecord): void {
    const id = record.invocationId;
    if (typeof id !== 'string') return;
    let entry = this.#logs.get(id);
    if (!entry) {
      entry = { lines: [], dropped: 0 };
      this.#logs.set(id, entry);
      // Lines of invocations that never end (the process stops them) must not pile up.
      if (this.#logs.size > this.#capacity * 2) this.#logs.delete(this.#logs.keys().next().value!);
    }
    if (entry.lines.length < this.#maxLogLines) entry.lines.push(record);
    else entry.dropped++;
  }

  add(record: InvocationRecord): void {
    this.#records.push(record);
    if (this.#records.length > this.#capacity) this.#logs.delete(this.#records.shift()!.invocationId);
    for (const listener of this.#listeners) listener(record);
  }

  /** Kept invocations, oldest first; with `traceId`, only that trace's. */
  recent(traceId?: string): InvocationRecord[] {
    return traceId === undefined ? [...this.#records] : this.#records.filter((r) => r.traceId === traceId);
  }

  /** The log lines of an invocation (and how many were not kept), or undefined when it is not known. */
  logs(invocationId: string): { lines: LogRecord[]; dropped: number } | undefined {
    const entry = this.#logs.get(invocationId);
    if (entry) return { lines: [...entry.lines], dropped: entry.dropped };
    return this.#records.some((r) => r.invocationId === invocationId) ? { lines: [], dropped: 0 } : undefined;
  }

  /** Calls `listener` as each invocation ends; returns the unsubscribe. */
  subscribe(listener: InvocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}

import type { CloudEvent, DeadLetterEnvelope } from 'faasport';

/** One event a subscription gave up on. */
export interface DeadLetterRecord {
  /** The queue or topic name, `event/<function>` for event triggers, `schedule/<function>` for pings. */
  readonly queue: string;
  /** The subscriber function that failed. */
  readonly functionName: string;
  /** The event as Knative hands it to `delivery.deadLetterSink`: the original plus `knativeerror*` extensions. */
  readonly event: CloudEvent;
  /** The portable envelope (payload, attempts, last error, timestamps). */
  readonly envelope: DeadLetterEnvelope;
}

/** Where failed events go (Knative `delivery.deadLetterSink`). Implement it to forward them elsewhere. */
export interface DeadLetterSink {
  write(record: DeadLetterRecord): void | Promise<void>;
}

/**
 * Keeps dead-lettered events in memory, in order.
 *
 * @example
 * ```ts
 * const sink = new MemoryDeadLetterSink();
 * sink.read('orders').map((r) => r.envelope.lastError.message);
 * ```
 */
export class MemoryDeadLetterSink implements DeadLetterSink {
  readonly #records: DeadLetterRecord[] = [];

  write(record: DeadLetterRecord): void {
    this.#records.push(record);
  }

  /** Records of `queue` (optionally of one subscriber function). */
  read(queue: string, functionName?: string): DeadLetterRecord[] {
    return this.#records.filter((r) => r.queue === queue && (functionName === undefined || r.functionName === functionName));
  }
}

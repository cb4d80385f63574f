import type { Adapter, App, CloudEvent, DeadLetterEnvelope, LogRecord } from 'faasport';

/**
 * How the conformance suite drives one adapter. Keep it small: a third party implements
 * these few methods for its runtime and gets the whole suite.
 */
export interface ConformanceHarness {
  /** The adapter under test: its name labels the results, its capabilities gate groups. */
  readonly adapter: Adapter;
  /**
   * Starts `app` on the runtime. `production` must behave as NODE_ENV=production does on
   * that runtime (no stacks or internal messages in HTTP error bodies).
   */
  start(app: App, options: { production: boolean }): Promise<ConformanceDriver>;
}

/** A running app, driven the way its platform would drive it. */
export interface ConformanceDriver {
  /** An HTTP request as a client of the platform sends it (absolute URL; host is ignored). */
  fetch(request: Request): Promise<Response>;
  /** Delivers a CloudEvent to the app's event functions the way the platform would. */
  emit(event: CloudEvent): Promise<void>;
  /** Fires schedule `functionName`; a `scheduledTime` well in the past makes the tick past due. */
  tick(functionName: string, scheduledTime?: Date): Promise<void>;
  /** Resolves once every message sent so far is handled or dead-lettered (rejects after `timeoutMs`). */
  settle(timeoutMs?: number): Promise<void>;
  /** Dead-letter envelopes of a queue (or, with `functionName`, of one topic subscription). */
  deadLetters(queue: string, functionName?: string): Promise<DeadLetterEnvelope[]>;
  /** Every structured log record the app's functions wrote, in order. */
  logs(): LogRecord[];
  stop(): Promise<void>;
}

/** A test the adapter is known to fail, with the reason a user can read. Data, not `if`s. */
export interface ExpectedFailure {
  /** The full test name: `<group> > <case>`, e.g. `http > repeated query keys`. */
  readonly test: string;
  readonly reason: string;
}

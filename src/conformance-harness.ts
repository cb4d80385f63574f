import type { Adapter } from './adapter.js';
import type { App } from './app.js';
import type { LogRecord } from './logger.js';
import type { CloudEvent, DeadLetterEnvelope } from './types.js';

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
  /**
   * Optional: the platform has a storage service whose notifications the driver delivers
   * (`storageEvent`). Without it the storage-notification case is reported as unsupported.
   */
  readonly storageNotifications?: boolean;
  /**
   * Optional: the driver can deliver a message the way the platform's own producers send one
   * (`nativeProducers` / `sendNative`: `aws sqs send-message`, `gcloud pubsub topics publish`,
   * ...), not through faasport. Without it the foreign-message case is reported as unsupported.
   */
  readonly nativeMessages?: boolean;
}

/** One of the platform's own ways to put a message on a queue or topic, as `sendNative` uses it. */
export interface NativeProducer {
  /** What a user would call it: "SQS SendMessage", "Pub/Sub publish without attributes"... */
  readonly name: string;
  /** Whether it puts the message on a faasport queue or topic. */
  readonly kind: 'queue' | 'topic';
  /** True when it can carry bytes that are not UTF-8 text (SQS and SNS carry text only). */
  readonly binary: boolean;
  /**
   * Set when the platform cannot tell this producer's text that is not JSON from text that
   * means something else (base64 on an Azure Storage queue, which plain text can also be):
   * such a message goes to the dead-letter queue with this error code, without running the
   * function, rather than reaching it as a guessed string.
   */
  readonly textDeadLetters?: string;
}

/** An object written to the platform's storage, as a storage notification describes it. */
export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
}

/** A running app, driven the way its platform would drive it. */
export interface ConformanceDriver {
  /** An HTTP request as a client of the platform sends it (absolute URL; host is ignored). */
  fetch(request: Request): Promise<Response>;
  /** Delivers a CloudEvent to the app's event functions the way the platform would. */
  emit(event: CloudEvent): Promise<void>;
  /**
   * Delivers the platform's own notification that `object` was created (S3 event, Event
   * Grid BlobCreated, Cloud Storage finalized...) to the app's event functions, in the
   * platform's format; required when the harness declares `storageNotifications`.
   */
  storageEvent?(object: StoredObject): Promise<void>;
  /** The platform's own producers `sendNative` can use; required when the harness declares `nativeMessages`. */
  readonly nativeProducers?: readonly NativeProducer[];
  /**
   * Puts `body` on faasport queue or topic `destination` with native producer `producer` (a
   * name from `nativeProducers`), exactly as that producer sends it: no faasport envelope,
   * marker or attribute. Required when the harness declares `nativeMessages`.
   */
  sendNative?(producer: string, destination: string, body: Uint8Array): Promise<void>;
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

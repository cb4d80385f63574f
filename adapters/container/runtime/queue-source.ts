import type { DeadLetterEnvelope, QueueFunctionDefinition, QueueMessage } from 'faasport';

/**
 * One received message, leased to this replica until it is settled. Every settle method
 * talks to the queue service; the consumer calls exactly one of ack, retryAfter, release
 * or deadLetter per delivery.
 */
export interface Delivery {
  /** The platform's delivery count, at least 1. */
  readonly attempt: number;
  /** When the platform first handed the message out (or when it was sent, if it does not say). */
  readonly firstAttemptAt: Date;
  /** The portable message; throws (MESSAGE_INVALID, EVENT_INVALID) when the body cannot be decoded. */
  decode(): QueueMessage<unknown>;
  /** The message with its body as the raw text, for the dead letter of one that cannot be decoded. */
  raw(): QueueMessage<unknown>;
  /** Done: delete / ack. */
  ack(): Promise<void>;
  /** Failed, not the last attempt: hide it for `delayMs`, then deliver it again. */
  retryAfter(delayMs: number): Promise<void>;
  /** Not handled here (shutdown): visible again now, for another replica. */
  release(): Promise<void>;
  /** Still being handled: keep the lease `seconds` longer. */
  extend(seconds: number): Promise<void>;
  /** Failed its last attempt: write the envelope where this cloud's dead letters live, then ack. */
  deadLetter(envelope: DeadLetterEnvelope, error: unknown): Promise<void>;
}

/** Where one consumer's messages come from: an SQS queue, a Pub/Sub subscription, a Storage queue. */
export interface QueueSource {
  /** The service-side name, for logs (`orders`, `shop-orders-fulfil`). */
  readonly name: string;
  /** Seconds one receive leases a message for; the consumer extends it at a third of that. */
  readonly leaseSeconds: number;
  /** Checks the queue is reachable and exists; throws otherwise (the consumer retries with backoff). */
  connect(): Promise<void>;
  /** Waits (long poll, bounded) for up to `max` messages; [] when none came or `signal` aborted. */
  receive(max: number, signal: AbortSignal): Promise<Delivery[]>;
  close?(): Promise<void>;
}

/** Makes the source of one queue consumer or topic subscriber. */
export type QueueSourceFactory = (def: QueueFunctionDefinition) => QueueSource;

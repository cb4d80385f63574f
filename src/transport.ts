import type { QueueDefinition } from './definitions.js';

/** A message as faasport hands it to a runtime's producer: already validated and encoded. */
export interface OutgoingMessage {
  readonly body: unknown;
  /** The JSON text that travels. */
  readonly payload: string;
  /** UTF-8 size of `payload` plus attribute names and values (what the clouds count). */
  readonly bytes: number;
  readonly attributes: Readonly<Record<string, string>>;
  readonly groupId?: string;
  readonly delaySeconds: number;
  readonly deduplicationId?: string;
}

export interface SendResult {
  readonly id: string;
}

/**
 * How an app's `queue.send` / `topic.publish` reach a runtime. Each adapter provides one
 * (in-process engine locally, SQS/SNS on AWS, Storage Queue on Azure, Pub/Sub on GCP).
 */
export interface Transport {
  readonly provider: string;
  /** The transport's own hard limit per message, checked before any network call. */
  readonly maxMessageBytes?: number;
  send(queue: QueueDefinition, messages: readonly OutgoingMessage[]): Promise<SendResult[]>;
  publish(topic: QueueDefinition, messages: readonly OutgoingMessage[]): Promise<SendResult[]>;
}

/** Attribute that carries W3C trace context from a sender to the consumer. */
export const TRACEPARENT_ATTRIBUTE = 'traceparent';

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
  /**
   * Most attributes a message may carry here, faasport's own (`traceparent`) included: the
   * platform's limit less what the transport adds itself. Unset = no count limit (attributes
   * travel in the body, or the platform limits their bytes only).
   */
  readonly maxMessageAttributes?: number;
  send(queue: QueueDefinition, messages: readonly OutgoingMessage[]): Promise<SendResult[]>;
  publish(topic: QueueDefinition, messages: readonly OutgoingMessage[]): Promise<SendResult[]>;
}

/**
 * The fewest message attributes any built-in cloud carries: SQS, and SNS to SQS with raw
 * delivery (which silently discards a message with more), take 10; Pub/Sub takes 100 (the gcp
 * producer checks that itself, with the marker it adds); Azure Storage queues carry attributes
 * in the body and Service Bus limits header bytes (64 KB), not a count. The local runtime
 * enforces this one, so an app that sends locally sends on every cloud.
 */
export const PORTABLE_MAX_MESSAGE_ATTRIBUTES = 10;

/** Attribute that carries W3C trace context from a sender to the consumer. */
export const TRACEPARENT_ATTRIBUTE = 'traceparent';

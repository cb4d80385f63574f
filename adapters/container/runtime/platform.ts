import { FaasportError, type App, type Transport } from 'faasport';
import type { QueuedEventDecoder } from './event-queue.js';
import type { QueueSourceFactory } from './queue-source.js';

/** One cloud's queue service as the container server uses it. */
export interface ContainerPlatform {
  readonly cloud: string;
  /** Where `queue.send` / `topic.publish` go (SQS/SNS, Pub/Sub, Storage queues). */
  readonly transport: Transport;
  /** Where each consumer's messages come from. */
  readonly sources: QueueSourceFactory;
  /**
   * Set where the deploy file routes events to a queue per event function (`<function>-events`;
   * aws: an EventBridge rule's SQS target; azure: an Event Grid subscription's Storage queue): how a message there becomes its CloudEvent. The
   * server then consumes those queues too.
   */
  readonly queuedEvents?: QueuedEventDecoder;
  /** Closes clients at the very end of a shutdown. */
  close?(): Promise<void>;
}

/** True when the app has queues or topics, so the server needs its cloud's SDK. */
export function usesQueues(app: App): boolean {
  return app.queues.length + app.topics.length > 0;
}

/**
 * True when the server needs its cloud's queue SDK: queues or topics, or event functions where
 * the deploy files route events to a queue (aws: EventBridge → SQS; azure: Event Grid →
 * Storage queue). On gcp Eventarc delivers them over HTTP.
 */
export function needsQueueService(app: App, cloud: string): boolean {
  return usesQueues(app) || (cloud !== 'gcp' && app.functions.some((f) => f.kind === 'event'));
}

/** The platform of an app without queues or topics: no SDK is loaded (the build did not install one). */
export function withoutQueues(cloud: string): ContainerPlatform {
  const refuse = (): never => {
    throw new FaasportError('CONFIG_INVALID', `container on ${cloud}: the app defines no queues or topics, so nothing can be sent`);
  };
  return {
    cloud,
    transport: { provider: cloud, send: async () => refuse(), publish: async () => refuse() },
    sources: () => refuse(),
  };
}

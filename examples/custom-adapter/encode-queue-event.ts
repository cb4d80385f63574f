import { TRACEPARENT_ATTRIBUTE, type CloudEvent, type OutgoingMessage, type QueueDefinition } from 'faasport';
import { ATTRIBUTES_EXTENSION, QUEUE_EXTENSION, QUEUE_MESSAGE_TYPE, TOPIC_MESSAGE_TYPE, TRACEPARENT_EXTENSION } from './vocabulary.js';

const encoder = new TextEncoder();

/**
 * Turns a message `queue.send` / `topic.publish` produced into the CloudEvent a Knative
 * channel (queue) or broker (topic) carries:
 *
 * | message | CloudEvent |
 * |---|---|
 * | id | `id` |
 * | queue / topic | `type` `dev.faasport.queue.message` / `dev.faasport.topic.message`, extension `faasportqueue` |
 * | body (JSON text) | data, `datacontenttype: application/json` (the encoded text, not re-serialised) |
 * | enqueued at | `time` |
 * | `traceparent` attribute | `traceparent` extension (distributed tracing) |
 * | user attributes | `faasportattrs` extension, a JSON object (their names are not valid extension names) |
 *
 * @example
 * ```ts
 * const event = encodeQueueEvent('shop', app.getQueue('orders')!, message, 'id-1');
 * event.type; // 'dev.faasport.queue.message'
 * ```
 */
export function encodeQueueEvent(appName: string, queue: QueueDefinition, message: OutgoingMessage, id: string, now: Date = new Date()): CloudEvent {
  const event: Record<string, unknown> = {
    specversion: '1.0',
    id,
    source: `/faasport/apps/${appName}/${queue.kind}s/${queue.name}`,
    type: queue.kind === 'topic' ? TOPIC_MESSAGE_TYPE : QUEUE_MESSAGE_TYPE,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: encoder.encode(message.payload),
    [QUEUE_EXTENSION]: queue.name,
  };
  const user: Record<string, string> = {};
  let hasUser = false;
  for (const [key, value] of Object.entries(message.attributes)) {
    if (key === TRACEPARENT_ATTRIBUTE) event[TRACEPARENT_EXTENSION] = value;
    else {
      user[key] = value;
      hasUser = true;
    }
  }
  if (hasUser) event[ATTRIBUTES_EXTENSION] = JSON.stringify(user);
  return event as unknown as CloudEvent;
}

import { randomUUID } from 'node:crypto';
import { FaasportError, payloadTooLarge, type App, type DeadLetterEnvelope, type OutgoingMessage, type QueueDefinition, type SendResult } from 'faasport';
import { decodeServiceBusDeadLetter, type ServiceBusDeadLetteredMessage } from './decode-service-bus-dead-letter.js';

/** Which queues and topics run on Service Bus, and how to reach it. */
export interface ServiceBusClientOptions {
  /** faasport queue names consumed with `app.serviceBusQueue` (entity name = queue name). */
  queues?: string[];
  /** faasport topic names on Service Bus topics (one subscription per subscriber function, named after it). */
  topics?: string[];
  /** App setting that holds the Service Bus connection string (default `ServiceBusConnection`). */
  connection?: string;
  /**
   * A `ServiceBusClient` you built yourself (for example with a managed-identity credential);
   * default: one from `@azure/service-bus` on the connection string in the app setting.
   */
  client?: ServiceBusClientLike;
}

/**
 * Service Bus settings from the environment, for a built app whose entry calls
 * `registerAzure(app)` with no options: `FAASPORT_SERVICE_BUS_QUEUES` and
 * `FAASPORT_SERVICE_BUS_TOPICS` (comma-separated faasport names) and
 * `FAASPORT_SERVICE_BUS_CONNECTION` (the app setting holding the connection string).
 * Undefined when neither list is set.
 */
export function serviceBusFromEnv(env: NodeJS.ProcessEnv): ServiceBusClientOptions | undefined {
  const list = (value: string | undefined): string[] =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const queues = list(env.FAASPORT_SERVICE_BUS_QUEUES);
  const topics = list(env.FAASPORT_SERVICE_BUS_TOPICS);
  if (queues.length === 0 && topics.length === 0) return undefined;
  return { queues, topics, ...(env.FAASPORT_SERVICE_BUS_CONNECTION ? { connection: env.FAASPORT_SERVICE_BUS_CONNECTION } : {}) };
}

export interface ServiceBusProducer {
  send(queue: QueueDefinition, messages: readonly OutgoingMessage[]): Promise<SendResult[]>;
  publish(topic: QueueDefinition, messages: readonly OutgoingMessage[]): Promise<SendResult[]>;
  readDeadLetters(app: App, entity: string, functionName?: string): Promise<DeadLetterEnvelope[]>;
}

/** Standard tier limit; Premium allows more, but 256 KiB is what every namespace accepts. */
export const SERVICE_BUS_MAX_BYTES = 256 * 1024;
export const DEFAULT_SERVICE_BUS_CONNECTION = 'ServiceBusConnection';

// The subset of @azure/service-bus used here; the package is an optional peer, loaded on first use.
export interface SbSender {
  sendMessages(messages: Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}
export interface SbReceiver {
  peekMessages(max: number): Promise<ServiceBusDeadLetteredMessage[]>;
  close(): Promise<void>;
}
/** The part of `ServiceBusClient` from `@azure/service-bus` faasport uses. */
export interface ServiceBusClientLike {
  createSender(entity: string): SbSender;
  createReceiver(entity: string, options: object): SbReceiver;
  createReceiver(topic: string, subscription: string, options: object): SbReceiver;
}
type SbClient = ServiceBusClientLike;

/** The Service Bus side of the producer (send, publish, dead-letter subqueue). */
export function createServiceBusClient(options: ServiceBusClientOptions): ServiceBusProducer {
  const setting = options.connection ?? DEFAULT_SERVICE_BUS_CONNECTION;
  let client: Promise<SbClient> | undefined;
  const senders = new Map<string, SbSender>();
  const connect = (): Promise<SbClient> =>
    (client ??= options.client
      ? Promise.resolve(options.client)
      : (async () => {
          const connectionString = process.env[setting];
          if (!connectionString) {
            throw new FaasportError('CONFIG_INVALID', `azure service bus: app setting "${setting}" is not set; add the namespace connection string there`);
          }
          const specifier = '@azure/service-bus';
          let mod: { ServiceBusClient: new (cs: string) => SbClient };
          try {
            mod = (await import(specifier)) as typeof mod;
          } catch (err) {
            throw new FaasportError(
              'CONFIG_INVALID',
              'azure service bus: the package "@azure/service-bus" is not installed; add it to the function app dependencies (npm install @azure/service-bus)',
              {
                cause: err,
              },
            );
          }
          return new mod.ServiceBusClient(connectionString);
        })());

  const sendTo = async (operation: string, entity: string, messages: readonly OutgoingMessage[]): Promise<SendResult[]> => {
    for (const m of messages) {
      if (m.bytes > SERVICE_BUS_MAX_BYTES)
        throw payloadTooLarge(
          operation,
          m.bytes,
          SERVICE_BUS_MAX_BYTES,
          'azure service bus (standard tier)',
          'send a smaller message or a reference to stored data',
        );
    }
    const sb = await connect();
    let sender = senders.get(entity);
    if (!sender) senders.set(entity, (sender = sb.createSender(entity)));
    const batch = messages.map((m) => {
      const messageId = m.deduplicationId ?? randomUUID();
      const out: Record<string, unknown> = { messageId, body: m.body, contentType: 'application/json', applicationProperties: { ...m.attributes } };
      if (m.groupId !== undefined) out.sessionId = m.groupId;
      if (m.delaySeconds > 0) out.scheduledEnqueueTimeUtc = new Date(Date.now() + m.delaySeconds * 1000);
      return out;
    });
    try {
      await sender.sendMessages(batch);
    } catch (err) {
      throw new FaasportError(
        'SEND_FAILED',
        `${operation}: azure service bus entity "${entity}" did not accept the messages (${(err as Error).message?.slice(0, 120)})`,
        { cause: err },
      );
    }
    return batch.map((m) => ({ id: m.messageId as string }));
  };

  return {
    send: (queue, messages) => sendTo(`queue "${queue.name}": send`, queue.name, messages),
    publish: (topic, messages) => sendTo(`topic "${topic.name}": publish`, topic.name, messages),
    async readDeadLetters(app, entity, functionName) {
      const sb = await connect();
      const isTopic = app.getTopic(entity) !== undefined;
      if (isTopic && functionName === undefined) {
        throw new FaasportError(
          'NOT_FOUND',
          `readDeadLetters("${entity}"): "${entity}" is a topic; name the subscriber too: readDeadLetters("${entity}", "<function>")`,
        );
      }
      const consumer = functionName ?? app.functions.find((f) => f.kind === 'queue' && f.source.name === entity)?.name ?? '';
      const receiver = isTopic
        ? sb.createReceiver(entity, functionName!, { subQueueType: 'deadLetter' })
        : sb.createReceiver(entity, { subQueueType: 'deadLetter' });
      try {
        const messages = await receiver.peekMessages(100);
        return messages.map((m) => decodeServiceBusDeadLetter(m, { queue: entity, functionName: consumer }));
      } finally {
        await receiver.close();
      }
    },
  };
}

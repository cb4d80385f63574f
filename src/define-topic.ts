import type { AppRegistry } from './app-registry.js';
import { COMMON_KEYS, checkHandler, commonOptions } from './common-options.js';
import { resolveQueueOptions } from './define-queue.js';
import type { CommonFunctionOptions, QueueDefinition, QueueFunctionDefinition, SendOptions, TopicOptions } from './definitions.js';
import { checkTransportLimits, encodeMessage } from './encode-message.js';
import { checkKnownOptions, checkName } from './options.js';
import { traceProducer } from './otel-spans.js';
import type { SendResult } from './transport.js';
import type { QueueHandler } from './types.js';

/** A topic: every subscriber receives every published message. */
export interface Topic<T> {
  readonly name: string;
  readonly definition: QueueDefinition;
  publish(body: T, options?: Omit<SendOptions, 'groupId' | 'deduplicationId' | 'delaySeconds'>): Promise<SendResult>;
  subscribe(functionName: string, handler: QueueHandler<T>, options?: CommonFunctionOptions): QueueFunctionDefinition;
}

const TOPIC_KEYS = ['maxAttempts', 'backoff', 'deadLetter', 'maxMessageBytes'];

/** `app.topic(name, options)`: checks and registers the topic; returns its `publish` and `subscribe`. */
export function defineTopic<T>(registry: AppRegistry, tname: string, options: TopicOptions = {}): Topic<T> {
  checkName('topic', tname);
  registry.claimQueueName('topic', tname);
  const definition: QueueDefinition = { ...resolveQueueOptions('topic', tname, options, TOPIC_KEYS), kind: 'topic' };
  registry.topics.push(definition);
  return {
    name: tname,
    definition,
    publish: async (body, publishOptions) => {
      const operation = `topic "${tname}": publish`;
      registry.checkDeclared(operation, 'topic', tname);
      if (publishOptions) checkKnownOptions(operation, publishOptions, ['attributes']);
      const message = encodeMessage(operation, definition, body, publishOptions);
      const transport = registry.transportFor(operation);
      checkTransportLimits(operation, transport, message);
      const [result] = await traceProducer('publish', definition, transport.provider, [message], () => transport.publish(definition, [message]));
      return result!;
    },
    subscribe: (fname, handler, fnOptions = {}) => {
      const what = `topic "${tname}" subscriber "${fname}"`;
      checkName('function', fname);
      checkHandler(what, handler);
      checkKnownOptions(what, fnOptions, COMMON_KEYS);
      return registry.register<QueueFunctionDefinition>({
        kind: 'topic',
        name: fname,
        source: definition,
        handler: handler as QueueHandler<unknown>,
        ...commonOptions(what, fnOptions),
      });
    },
  };
}

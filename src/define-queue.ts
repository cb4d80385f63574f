import type { AppRegistry } from './app-registry.js';
import { normaliseBackoff } from './backoff.js';
import { COMMON_KEYS, checkHandler, commonOptions } from './common-options.js';
import type { CommonFunctionOptions, QueueDefinition, QueueFunctionDefinition, QueueOptions, SendOptions } from './definitions.js';
import { checkTransportLimits, encodeMessage } from './encode-message.js';
import { FaasportError } from './errors.js';
import { checkBoolean, checkInteger, checkKnownOptions, checkName, invalid } from './options.js';
import { traceProducer } from './otel-spans.js';
import type { SendResult } from './transport.js';
import type { QueueHandler } from './types.js';

/** A queue: send messages to it, consume them with a function. */
export interface Queue<T> {
  readonly name: string;
  readonly definition: QueueDefinition;
  /** Sends one message; resolves with the platform's message id. */
  send(body: T, options?: SendOptions): Promise<SendResult>;
  /** Sends many; the runtime batches them within its own limits. */
  sendBatch(bodies: readonly T[], options?: SendOptions | ((body: T, index: number) => SendOptions)): Promise<SendResult[]>;
  /** Defines the function that consumes this queue: one handler call per message. */
  consume(functionName: string, handler: QueueHandler<T>, options?: CommonFunctionOptions): QueueFunctionDefinition;
}

const QUEUE_KEYS = ['maxAttempts', 'backoff', 'deadLetter', 'visibilityTimeoutMs', 'batchSize', 'fifo', 'delaySeconds', 'maxMessageBytes'];

/** `app.queue(name, options)`: checks and registers the queue; returns its producer and `consume`. */
export function defineQueue<T>(registry: AppRegistry, qname: string, options: QueueOptions = {}): Queue<T> {
  checkName('queue', qname);
  registry.claimQueueName('queue', qname);
  const definition = resolveQueueOptions('queue', qname, options, QUEUE_KEYS);
  registry.queues.push(definition);
  return {
    name: qname,
    definition,
    send: async (body, sendOptions) => {
      const operation = `queue "${qname}": send`;
      registry.checkDeclared(operation, 'queue', qname);
      const message = encodeMessage(operation, definition, body, sendOptions);
      const transport = registry.transportFor(operation);
      checkTransportLimits(operation, transport, message);
      const [result] = await traceProducer('send', definition, transport.provider, [message], () => transport.send(definition, [message]));
      return result!;
    },
    sendBatch: async (bodies, sendOptions) => {
      const operation = `queue "${qname}": sendBatch`;
      registry.checkDeclared(operation, 'queue', qname);
      if (!Array.isArray(bodies)) throw new FaasportError('MESSAGE_INVALID', `${operation}: expected an array of message bodies`);
      const messages = bodies.map((body, i) =>
        encodeMessage(`${operation} [${i}]`, definition, body, typeof sendOptions === 'function' ? sendOptions(body, i) : sendOptions),
      );
      if (messages.length === 0) return [];
      const transport = registry.transportFor(operation);
      messages.forEach((m, i) => checkTransportLimits(`${operation} [${i}]`, transport, m));
      return traceProducer('send', definition, transport.provider, messages, () => transport.send(definition, messages));
    },
    consume: (fname, handler, fnOptions = {}) => defineConsumer(registry, definition, fname, handler, fnOptions),
  };
}

/** `queue.consume(name, handler, options)`: a queue has one consumer, whose timeout fits in the queue's visibility timeout. */
function defineConsumer<T>(
  registry: AppRegistry,
  definition: QueueDefinition,
  fname: string,
  handler: QueueHandler<T>,
  fnOptions: CommonFunctionOptions,
): QueueFunctionDefinition {
  const what = `queue "${definition.name}" consumer "${fname}"`;
  checkName('function', fname);
  checkHandler(what, handler);
  checkKnownOptions(what, fnOptions, COMMON_KEYS);
  const existing = registry.functions.find((f) => f.kind === 'queue' && f.source === definition);
  if (existing) {
    throw invalid(what, `queue "${definition.name}" is already consumed by "${existing.name}"; a queue has one consumer (use a topic for fan-out)`);
  }
  const fn = commonOptions(what, fnOptions);
  if (definition.visibilityTimeoutMs !== undefined && definition.visibilityTimeoutMs < fn.timeoutMs) {
    throw invalid(
      what,
      `visibilityTimeoutMs ${definition.visibilityTimeoutMs} is shorter than the consumer's timeoutMs ${fn.timeoutMs}; a message would be redelivered while still being handled (use at least the timeout, ideally 6x)`,
    );
  }
  return registry.register<QueueFunctionDefinition>({ kind: 'queue', name: fname, source: definition, handler: handler as QueueHandler<unknown>, ...fn });
}

/** The checked options of a queue or topic, with their defaults, frozen. */
export function resolveQueueOptions(kind: 'queue' | 'topic', name: string, options: QueueOptions, keys: string[]): QueueDefinition {
  const what = `${kind} "${name}"`;
  if (typeof options !== 'object' || options === null) throw invalid(what, 'options must be an object');
  checkKnownOptions(what, options, keys);
  const fifo = options.fifo === undefined ? false : checkBoolean(what, 'fifo', options.fifo);
  return Object.freeze({
    kind,
    name,
    maxAttempts: options.maxAttempts === undefined ? 5 : checkInteger(what, 'maxAttempts', options.maxAttempts, 1, 1000),
    backoff: normaliseBackoff(what, options.backoff),
    deadLetter: options.deadLetter === undefined ? true : checkBoolean(what, 'deadLetter', options.deadLetter),
    visibilityTimeoutMs:
      options.visibilityTimeoutMs === undefined ? undefined : checkInteger(what, 'visibilityTimeoutMs', options.visibilityTimeoutMs, 1000, 43_200_000),
    batchSize: options.batchSize === undefined ? 10 : checkInteger(what, 'batchSize', options.batchSize, 1, 10_000),
    fifo,
    delaySeconds: options.delaySeconds === undefined ? 0 : checkInteger(what, 'delaySeconds', options.delaySeconds, 0, 900),
    // Unset = whatever the target allows (checked by the transport at send time).
    maxMessageBytes: options.maxMessageBytes === undefined ? undefined : checkInteger(what, 'maxMessageBytes', options.maxMessageBytes, 1, 100 * 1024 * 1024),
  });
}

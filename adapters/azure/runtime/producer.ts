import { randomUUID } from 'node:crypto';
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import {
  FaasportError,
  type App,
  type DeadLetterEnvelope,
  type OutgoingMessage,
  type QueueDefinition,
  type QueueFunctionDefinition,
  type SendResult,
  type Transport,
} from 'faasport';
import { STORAGE_QUEUE_MAX_BYTES } from './adapter.js';
import { decodePoisonMessage } from './decode-dead-letter.js';
import { encodeDeadLetterText, encodeQueueText, encodeStorageQueueMessage } from './encode-storage-queue-message.js';
import { hostQueueSettings } from './host-settings.js';
import { POISON_SUFFIX, storageQueueName } from './names.js';
import { createServiceBusClient, type ServiceBusClientOptions, type ServiceBusProducer } from './service-bus.js';

export interface AzureProducerOptions {
  /**
   * Storage connection string, or a function that returns it on first use (default: the
   * `AzureWebJobsStorage` app setting). When there is none, the identity-based settings of
   * `connectionSetting` are used (see {@link storageEndpoint}).
   */
  connectionString?: string | (() => string | undefined);
  /** The app setting (prefix) that names the storage connection, as the queue triggers use it. Default `AzureWebJobsStorage`. */
  connectionSetting?: string;
  /** Where app settings are read; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The token credential for an identity-based connection; default: `@azure/identity`'s
   * `ManagedIdentityCredential` (with `<setting>__clientId` when set), loaded on first send.
   */
  credential?: TokenCredentialLike;
  /** Queues and topics that live on Service Bus instead of Storage queues. */
  serviceBus?: ServiceBusClientOptions;
}

/** The Azure queue client: a faasport Transport plus the dead-letter reader. */
export interface AzureProducer extends Transport {
  /**
   * Dead-lettered messages of a queue (or, with `functionName`, of one topic subscription):
   * the Storage `<queue>-poison` queue or the Service Bus dead-letter subqueue, as portable
   * envelopes. Reads without removing; Storage returns at most the 32 oldest.
   */
  readDeadLetters(queue: string, functionName?: string): Promise<DeadLetterEnvelope[]>;
  /** Writes the envelope of a message that failed its last attempt to `<storageQueue>-poison`. */
  deadLetter(storageQueue: string, envelope: DeadLetterEnvelope): Promise<void>;
}

/**
 * Creates the queue client an app uses on Azure. Storage queues by default: each message
 * is its JSON text as is (faasport builds apps with host.json `messageEncoding: "none"`),
 * with faasport's envelope when it carries attributes; a topic publish writes one message
 * per subscriber queue. `@azure/storage-queue` is loaded on first send (an optional peer
 * dependency). Messages over 64 KiB are refused before any network call.
 *
 * @example
 * ```ts
 * import { attachTransport, createApp } from 'faasport';
 * import { createAzureProducer } from 'faasport/azure';
 * const app = createApp('shop');
 * const orders = app.queue('orders', { maxMessageBytes: 48 * 1024 });
 * attachTransport(app, createAzureProducer(app, { connectionString: 'UseDevelopmentStorage=true' }));
 * // await orders.send({ id: 'o1' });
 * ```
 */
export function createAzureProducer(app: App, options: AzureProducerOptions = {}): AzureProducer {
  const setting = options.connectionSetting ?? 'AzureWebJobsStorage';
  const env = options.env ?? process.env;
  const connectionString = options.connectionString ?? (() => env[setting]);
  const serviceBusQueues = new Set(options.serviceBus?.queues ?? []);
  const serviceBusTopics = new Set(options.serviceBus?.topics ?? []);
  let serviceBus: ServiceBusProducer | undefined;
  const bus = (): ServiceBusProducer => (serviceBus ??= createServiceBusClient(options.serviceBus ?? {}));
  let service: Promise<QueueServiceClient> | undefined;
  const ensured = new Map<string, Promise<QueueClient>>();

  const queueClient = (name: string): Promise<QueueClient> => {
    let client = ensured.get(name);
    if (!client) {
      client = (service ??= connectStorageQueues(connectionString, setting, env, options.credential)).then(async (svc) => {
        const q = svc.getQueueClient(name);
        await q.createIfNotExists();
        return q;
      });
      // A failed connection or create is retried on the next send, not cached.
      client.catch(() => ensured.delete(name));
      ensured.set(name, client);
    }
    return client;
  };

  const sendEncoded = async (operation: string, name: string, encoded: string, delaySeconds: number): Promise<SendResult> => {
    try {
      const q = await queueClient(name);
      const result = await q.sendMessage(encoded, delaySeconds > 0 ? { visibilityTimeout: delaySeconds } : {});
      return { id: result.messageId };
    } catch (err) {
      if (err instanceof FaasportError) throw err;
      throw new FaasportError(
        'SEND_FAILED',
        `${operation}: azure storage queue "${name}" did not accept the message (${describe(err)}); check the storage connection string and that the account is reachable`,
        {
          cause: err,
          details: { queue: name },
        },
      );
    }
  };

  const subscribers = (topic: string): QueueFunctionDefinition[] =>
    app.functions.filter((f): f is QueueFunctionDefinition => f.kind === 'topic' && f.source.name === topic);

  const consumerOf = (queue: string, functionName?: string): { storageQueue: string; functionName: string; definition: QueueDefinition } => {
    const q = app.getQueue(queue);
    if (q) {
      const fn = app.functions.find((f) => f.kind === 'queue' && f.source === q);
      return { storageQueue: storageQueueName(q.name), functionName: fn?.name ?? '', definition: q };
    }
    const t = app.getTopic(queue);
    if (t && functionName !== undefined && subscribers(t.name).some((f) => f.name === functionName)) {
      return { storageQueue: storageQueueName(t.name, functionName), functionName, definition: t };
    }
    throw new FaasportError(
      'NOT_FOUND',
      t
        ? `readDeadLetters("${queue}"): "${queue}" is a topic; name the subscriber too: readDeadLetters("${queue}", "<function>")`
        : `readDeadLetters("${queue}"): app "${app.name}" has no queue or topic "${queue}"`,
    );
  };

  return {
    provider: 'azure',
    maxMessageBytes: STORAGE_QUEUE_MAX_BYTES,
    // No maxMessageAttributes: Storage queue messages carry attributes in their text (the size
    // limit counts them); Service Bus limits application properties by bytes (64 KB), not count.
    async send(queue, messages) {
      if (serviceBusQueues.has(queue.name)) return bus().send(queue, messages);
      const operation = `queue "${queue.name}": send`;
      const name = storageQueueName(queue.name);
      // Encode (and size-check) every message before the first network call.
      const encoded = messages.map((m, i) => encodeStorageQueueMessage(messages.length > 1 ? `${operation} [${i}]` : operation, encodeQueueText(m)));
      const results: SendResult[] = [];
      for (let i = 0; i < encoded.length; i++) results.push(await sendEncoded(operation, name, encoded[i]!, messages[i]!.delaySeconds));
      return results;
    },
    async publish(topic, messages) {
      if (serviceBusTopics.has(topic.name)) return bus().publish(topic, messages);
      const operation = `topic "${topic.name}": publish`;
      const targets = subscribers(topic.name).map((f) => storageQueueName(topic.name, f.name));
      const encoded = messages.map((m: OutgoingMessage) => encodeStorageQueueMessage(operation, encodeQueueText(m)));
      const results: SendResult[] = [];
      for (const text of encoded) {
        const ids = await Promise.all(targets.map((name) => sendEncoded(operation, name, text, 0)));
        results.push(ids[0] ?? { id: randomUUID() });
      }
      return results;
    },
    async readDeadLetters(queue, functionName) {
      if (serviceBusQueues.has(queue) || serviceBusTopics.has(queue)) return bus().readDeadLetters(app, queue, functionName);
      const source = consumerOf(queue, functionName);
      const poison = await queueClient(source.storageQueue + POISON_SUFFIX);
      const peeked = await poison.peekMessages({ numberOfMessages: 32 });
      const hostMaxAttempts = hostQueueSettings(app).maxDequeueCount;
      return peeked.peekedMessageItems.map((m) =>
        decodePoisonMessage(
          { messageId: m.messageId, messageText: m.messageText, insertedOn: m.insertedOn },
          { queue, storageQueue: source.storageQueue, functionName: source.functionName, hostMaxAttempts },
        ),
      );
    },
    async deadLetter(storageQueue, envelope) {
      const operation = `queue "${envelope.queue}": dead-letter`;
      await sendEncoded(operation, storageQueue + POISON_SUFFIX, encodeStorageQueueMessage(operation, encodeDeadLetterText(envelope)), 0);
    },
  };
}

/** What `@azure/storage-queue` accepts as a token credential (an `@azure/identity` credential). */
export interface TokenCredentialLike {
  getToken(scopes: string | string[], options?: unknown): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** How the app reaches its storage account: a connection string, or an account URL and a managed identity. */
export type StorageEndpoint =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly queueServiceUri: string; readonly clientId?: string };

/**
 * The storage connection named by `setting`, read the way the Functions host reads it: the
 * setting itself is a connection string; otherwise `<setting>__queueServiceUri`, or
 * `<setting>__accountName` (→ `https://<account>.queue.core.windows.net`), is an
 * identity-based connection, with `<setting>__clientId` naming a user-assigned identity.
 * Undefined when neither is set.
 *
 * @example
 * ```ts
 * import { storageEndpoint } from 'faasport/azure';
 * storageEndpoint({ AzureWebJobsStorage__accountName: 'shopabc' }, 'AzureWebJobsStorage');
 * // { kind: 'identity', queueServiceUri: 'https://shopabc.queue.core.windows.net' }
 * ```
 */
export function storageEndpoint(
  env: Readonly<Record<string, string | undefined>>,
  setting: string,
  connectionString = env[setting],
): StorageEndpoint | undefined {
  if (connectionString) return { kind: 'connectionString', connectionString };
  const account = env[`${setting}__accountName`];
  const queueServiceUri = env[`${setting}__queueServiceUri`] ?? (account ? `https://${account}.queue.core.windows.net` : undefined);
  if (!queueServiceUri) return undefined;
  const clientId = env[`${setting}__clientId`];
  return clientId ? { kind: 'identity', queueServiceUri, clientId } : { kind: 'identity', queueServiceUri };
}

/**
 * A Storage queue service client for the storage connection named by `setting`: its
 * connection string, or its identity-based settings (`__accountName` / `__queueServiceUri`,
 * `__clientId`) with `credential` or the managed identity. The container target uses it too.
 */
export async function connectStorageQueues(
  connectionString: string | (() => string | undefined),
  setting: string,
  env: Readonly<Record<string, string | undefined>>,
  credential: TokenCredentialLike | undefined,
): Promise<QueueServiceClient> {
  const endpoint = storageEndpoint(env, setting, typeof connectionString === 'function' ? connectionString() : connectionString);
  if (!endpoint) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `azure storage queue: no storage connection; set the ${setting}__accountName app setting (identity-based, with the app's managed identity) or ${setting} (a connection string), or pass registerAzure(app, { storageConnection: "<setting name>" })`,
    );
  }
  let mod: typeof import('@azure/storage-queue');
  try {
    mod = await import('@azure/storage-queue');
  } catch (err) {
    throw new FaasportError(
      'CONFIG_INVALID',
      'azure storage queue: the package "@azure/storage-queue" is not installed; add it to the function app dependencies (npm install @azure/storage-queue)',
      {
        cause: err,
      },
    );
  }
  const QueueServiceClient = mod.QueueServiceClient ?? (mod as unknown as { default: typeof mod }).default.QueueServiceClient;
  if (endpoint.kind === 'connectionString') return QueueServiceClient.fromConnectionString(endpoint.connectionString);
  return new QueueServiceClient(
    endpoint.queueServiceUri,
    (credential ?? (await managedIdentity(endpoint.clientId))) as import('@azure/core-auth').TokenCredential,
  );
}

/** The app's managed identity from `@azure/identity` (an optional peer, needed only for identity-based connections). */
async function managedIdentity(clientId: string | undefined): Promise<TokenCredentialLike> {
  let identity: { ManagedIdentityCredential: new (options?: { clientId: string }) => TokenCredentialLike };
  try {
    identity = (await import(IDENTITY_PACKAGE)) as typeof identity;
  } catch (err) {
    throw new FaasportError(
      'CONFIG_INVALID',
      'azure storage queue: the storage connection is identity-based, so the package "@azure/identity" is needed; add it to the function app dependencies (npm install @azure/identity)',
      {
        cause: err,
      },
    );
  }
  return clientId ? new identity.ManagedIdentityCredential({ clientId }) : new identity.ManagedIdentityCredential();
}

/** Kept in a variable: an optional peer the type checker and bundlers need not resolve. */
const IDENTITY_PACKAGE = '@azure/identity';

function describe(err: unknown): string {
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e && typeof e === 'object') return [e.statusCode, e.code].filter(Boolean).join(' ') || e.message?.slice(0, 120) || 'unknown error';
  return String(err);
}

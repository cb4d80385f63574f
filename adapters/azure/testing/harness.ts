import { randomUUID } from 'node:crypto';
import type { App, LogRecord } from 'faasport';
import { QueueServiceClient } from '@azure/storage-queue';
import type { ConformanceHarness, NativeProducer } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { startAzurite } from './azurite.js';
import { installFunctionsCore, type FunctionsWorker } from './functions-core-host.js';
import { createHttpHost } from './functions-http-host.js';
import { eventGridInvocation, timerInvocation } from './host-invocations.js';
import { hostQueueSettings } from '../runtime/host-settings.js';
import { createAzureProducer } from '../runtime/producer.js';
import { storageQueueName } from '../runtime/names.js';
import { startQueueHost } from './queue-host.js';
import { registerAzure } from '../runtime/register-azure.js';

/**
 * How Azure's own producers put a message on a storage queue, read by the host with the
 * `messageEncoding: "none"` faasport's build writes: the text as sent (`@azure/storage-queue`'s
 * `sendMessage` by default), or its base64 (the portal's and
 * Storage Explorer's Base64 option, an SDK set to base64). Base64 of text that is not JSON
 * cannot be told from text, so it is dead-lettered as MESSAGE_INVALID. Not here: bytes that
 * are not UTF-8 text (Storage queues carry text); Service Bus, which has no emulator here
 * (decode-service-bus is checked on the trigger's documented shapes instead).
 */
const NATIVE_PRODUCERS: readonly NativeProducer[] = [
  { name: 'Storage queue message as sent (QueueClient.sendMessage)', kind: 'queue', binary: false },
  { name: "Storage queue message in base64 (the portal's Base64 option)", kind: 'queue', binary: false, textDeadLetters: 'MESSAGE_INVALID' },
];

/** A tick this much later than its slot is what the host flags as past due here. */
const PAST_DUE_AFTER_MS = 1000;

/**
 * Drives the Azure adapter the way the Functions host would: the app is registered through
 * the real @azure/functions library (with the worker's core module provided), HTTP requests
 * and timer / Event Grid deliveries become host-shaped invocations, and queues are real
 * Storage queues in Azurite with the host's listener semantics (host.json messageEncoding,
 * DequeueCount, visibility timeout, `<queue>-poison`).
 */
export function azureHarness(): ConformanceHarness {
  const core = installFunctionsCore();
  return {
    adapter,
    storageNotifications: true,
    nativeMessages: true,
    async start(app: App, { production }) {
      const azurite = await startAzurite();
      try {
        const producer = createAzureProducer(app, { connectionString: azurite.connectionString });
        const worker = core.load(() => registerAzure(app, { production, producer, logLevel: 'debug' }));
        const http = createHttpHost(worker, { routePrefix: '' });
        const logs = userLogs(worker);
        const queues = startQueueHost({
          worker,
          connectionString: azurite.connectionString,
          ...hostQueueSettings(app),
          onFailure: (fn, error) => logs.hostError(fn, error),
        });
        return {
          fetch(request) {
            // A client of a function-level route sends its key; anonymous routes ignore it.
            const headers = new Headers(request.headers);
            headers.set('x-functions-key', http.functionKey);
            return http.fetch(new Request(request, { headers }));
          },
          nativeProducers: NATIVE_PRODUCERS,
          async sendNative(producer, destination, body) {
            const index = NATIVE_PRODUCERS.findIndex((p) => p.name === producer);
            if (index < 0) throw new Error(`azure harness: no native producer "${producer}"`);
            const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(storageQueueName(destination));
            await queue.createIfNotExists();
            await queue.sendMessage(Buffer.from(body).toString(index === 0 ? 'utf8' : 'base64'));
          },
          async storageEvent(object) {
            // What Event Grid delivers for a blob write on a storage account (Event Grid schema).
            const account = 'confstorage';
            const blobCreated = {
              id: randomUUID(),
              topic: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/conformance/providers/Microsoft.Storage/storageAccounts/${account}`,
              subject: `/blobServices/default/containers/${object.bucket}/blobs/${object.key}`,
              eventType: 'Microsoft.Storage.BlobCreated',
              eventTime: new Date().toISOString(),
              data: {
                api: 'PutBlob',
                clientRequestId: randomUUID(),
                requestId: randomUUID(),
                eTag: '0x8DC0000000000000',
                contentType: object.contentType,
                contentLength: object.size,
                blobType: 'BlockBlob',
                url: `https://${account}.blob.core.windows.net/${object.bucket}/${encodeURI(object.key)}`,
                sequencer: '0000000000000000000000000000000000000000000000000000000000000001',
                storageDiagnostics: { batchId: randomUUID() },
              },
              dataVersion: '',
              metadataVersion: '1',
            };
            for (const fn of worker.functions.values()) {
              if (fn.trigger.type !== 'eventGridTrigger') continue;
              const result = await worker.invoke(fn.metadata.name, eventGridInvocation(fn, blobCreated));
              if (!result.ok) logs.hostError(fn.metadata.name, result.error);
            }
          },
          async emit(event) {
            for (const fn of worker.functions.values()) {
              if (fn.trigger.type !== 'eventGridTrigger') continue;
              const result = await worker.invoke(fn.metadata.name, eventGridInvocation(fn, event));
              if (!result.ok) logs.hostError(fn.metadata.name, result.error);
            }
          },
          async tick(functionName, scheduledTime = new Date()) {
            const fn = worker.functions.get(functionName);
            if (!fn || fn.trigger.type !== 'timerTrigger') throw new Error(`no timer function "${functionName}"`);
            const result = await worker.invoke(
              functionName,
              timerInvocation(fn, { scheduledTime, isPastDue: Date.now() - scheduledTime.getTime() > PAST_DUE_AFTER_MS }),
            );
            if (!result.ok) logs.hostError(functionName, result.error);
          },
          settle: (timeoutMs) => queues.settle(timeoutMs),
          deadLetters: (queue, functionName) => producer.readDeadLetters(queue, functionName),
          logs: () => logs.records(),
          async stop() {
            await queues.stop();
            await azurite.stop();
          },
        };
      } catch (err) {
        await azurite.stop();
        throw err;
      }
    },
  };
}

/** faasport's records as the host received them: JSON lines through the context's log methods. */
function userLogs(worker: FunctionsWorker): { records(): LogRecord[]; hostError(fn: string, error: unknown): void } {
  const parsed: LogRecord[] = [];
  let read = 0;
  return {
    records() {
      for (; read < worker.logs.length; read++) {
        const line = worker.logs[read]!;
        if (line.category !== 'user') continue;
        try {
          const record = JSON.parse(line.message) as LogRecord;
          if (typeof record === 'object' && record !== null && typeof record.msg === 'string') parsed.push(record);
        } catch {
          /* not one of faasport's records */
        }
      }
      return parsed;
    },
    hostError(fn, error) {
      // The host logs the exception with its stack.
      parsed.push({
        level: 'error',
        msg: 'host: invocation failed',
        time: new Date().toISOString(),
        functionName: fn,
        error: error instanceof Error ? (error.stack ?? String(error)) : String(error),
      });
    },
  };
}

import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { App, CloudEvent, DeadLetterEnvelope, FunctionDefinition, LogRecord } from 'faasport';
import type { ConformanceDriver, ConformanceHarness, NativeProducer } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { deadLetterQueueName, sqsQueueName, subscriptionQueueName } from '../runtime/names.js';
import { AwsProducer } from '../runtime/producer.js';
import { exceedsPayloadLimit, fromApiGatewayV2Result, gatewayNotFound, gatewayTooLarge, matchRoute, toApiGatewayV2Event } from './api-gateway.js';
import { defaultRouteFunction, toHttpApiPath } from '../target/infrastructure.js';
import { EventSourceMapping } from './event-source-mapping.js';
import { startLocalSqs, TEST_CLIENT_CONFIG } from './fauxqs-server.js';
import { toLambda } from '../runtime/to-lambda.js';
// The vendor sample, bundled into the harness (the installed package ships no fixtures folder).
import snsSample from '../../../conformance/fixtures/aws/sns/notification-with-attributes.json' with { type: 'json' };
import type { EventBridgeEventLike, LambdaContextLike, ProxyResultV2, SnsEventLike } from '../runtime/types.js';

const ACCOUNT = '000000000000';
/** Topics whose SQS subscriptions deliver the raw message instead of the SNS JSON envelope. */
const RAW_SUFFIX = '-raw-delivery';

/** How AWS's own producers put a message on a queue or topic (the CLI, the SDKs, the console). */
const NATIVE_PRODUCERS: readonly NativeProducer[] = [
  { name: 'SQS SendMessage', kind: 'queue', binary: false },
  { name: 'SNS Publish to an SQS subscription (JSON envelope)', kind: 'topic', binary: false },
  { name: 'SNS Publish to an SQS subscription with raw message delivery', kind: 'topic', binary: false },
  { name: 'SNS Publish to a Lambda subscription', kind: 'topic', binary: false },
];
/** Lambda retries a failed asynchronous invocation twice. */
const ASYNC_RETRIES = 2;

/**
 * Drives the AWS adapter as AWS would: HTTP through an API Gateway HTTP API model into the
 * `toLambda` handlers, queues and topics on a local SQS/SNS server (fauxqs) with SNS→SQS
 * subscriptions and an SQS event source mapping per consumer, schedules and CloudEvents
 * as EventBridge events, each invocation with a Lambda context.
 */
export function awsHarness(): ConformanceHarness {
  return {
    adapter,
    storageNotifications: true,
    nativeMessages: true,
    async start(app: App, { production }): Promise<ConformanceDriver> {
      const logs: LogRecord[] = [];
      const errors: unknown[] = [];
      const server = await startLocalSqs();
      const queueUrls: Record<string, string> = {};
      const topicArns: Record<string, string> = {};
      const rawTopicArns: Record<string, string> = {};
      const consumers: { def: FunctionDefinition; queue: string; arn: string; batchSize: number }[] = [];
      for (const q of app.queues) {
        const created = server.createQueue(sqsQueueName(q.name, q.fifo), q.fifo ? { attributes: { FifoQueue: 'true' } } : undefined);
        queueUrls[q.name] = created.queueUrl;
        if (q.deadLetter) server.createQueue(sqsQueueName(`${q.name}-dlq`, q.fifo), q.fifo ? { attributes: { FifoQueue: 'true' } } : undefined);
      }
      for (const t of app.topics) topicArns[t.name] = server.createTopic(t.name).topicArn;
      for (const fn of app.functions) {
        if (fn.kind === 'queue') {
          const name = sqsQueueName(fn.source.name, fn.source.fifo);
          consumers.push({ def: fn, queue: name, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`, batchSize: fn.source.batchSize });
        } else if (fn.kind === 'topic') {
          // The SNS → SQS → Lambda fan-out: one subscription queue per subscriber.
          const name = subscriptionQueueName(fn.source.name, fn.name);
          // As the template does: the subscriber finds its own queue's URL in its environment.
          queueUrls[name] = server.createQueue(name).queueUrl;
          server.subscribe({ topic: fn.source.name, queue: name });
          // A second topic whose subscription has raw message delivery on, for the native-producer case.
          rawTopicArns[fn.source.name] ??= server.createTopic(`${fn.source.name}${RAW_SUFFIX}`).topicArn;
          server.subscribe({ topic: `${fn.source.name}${RAW_SUFFIX}`, queue: name, attributes: { RawMessageDelivery: 'true' } });
          if (fn.source.deadLetter) server.createQueue(deadLetterQueueName(fn));
          consumers.push({ def: fn, queue: name, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`, batchSize: fn.source.batchSize });
        }
      }
      const config = TEST_CLIENT_CONFIG(server.address);
      const sqs = new SQSClient(config);
      const sns = new SNSClient(config);
      const producer = new AwsProducer({ sqs, sns, queueUrls, topicArns, region: 'us-east-1', accountId: ACCOUNT });
      const defaultRoute = defaultRouteFunction(app);
      const handlers = toLambda(app, { production, producer, logSink: (r) => logs.push(r), logLevel: 'debug' });
      const contextFor = (fn: FunctionDefinition) => (): LambdaContextLike => {
        const deadline = Date.now() + fn.timeoutMs;
        return {
          awsRequestId: randomUUID(),
          functionName: fn.name,
          invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fn.name}`,
          getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        };
      };
      const mappings = consumers.map(
        (c) =>
          new EventSourceMapping({
            sqs,
            queueUrl: server.inspectQueue(c.queue)!.url,
            queueArn: c.arn,
            batchSize: c.batchSize,
            handler: handlers[c.def.name]!,
            context: contextFor(c.def),
            onError: (e) => errors.push(e),
          }),
      );
      let asyncInFlight = 0;
      const invokeAsync = async (fn: FunctionDefinition, event: unknown): Promise<void> => {
        asyncInFlight++;
        try {
          for (let attempt = 0; attempt <= ASYNC_RETRIES; attempt++) {
            try {
              await handlers[fn.name]!(JSON.parse(JSON.stringify(event)), contextFor(fn)());
              return;
            } catch (err) {
              if (attempt === ASYNC_RETRIES) errors.push(err);
            }
          }
        } finally {
          asyncInFlight--;
        }
      };
      const pendingMessages = (): number =>
        consumers.reduce((n, c) => {
          const q = server.inspectQueue(c.queue)!;
          return n + q.messages.ready.length + q.messages.delayed.length + q.messages.inflight.length;
        }, 0);
      const dead = new Map<string, DeadLetterEnvelope[]>();

      return {
        async fetch(request) {
          const url = new URL(request.url);
          // The template's routes, then its $default route for what none of them matches.
          const routed = matchRoute(app, request.method, url.pathname);
          const def = routed ?? defaultRoute;
          if (!def) return gatewayNotFound();
          const eventJson = await toApiGatewayV2Event(request, routed ? `${request.method} ${toHttpApiPath(routed.route.route)}` : '$default');
          if (exceedsPayloadLimit(eventJson)) return gatewayTooLarge();
          const result = await handlers[def.name]!(JSON.parse(eventJson), contextFor(def)());
          return fromApiGatewayV2Result(JSON.parse(JSON.stringify(result)) as ProxyResultV2);
        },
        nativeProducers: NATIVE_PRODUCERS,
        async sendNative(producer, destination, body) {
          const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
          switch (producer) {
            case 'SQS SendMessage':
              await sqs.send(new SendMessageCommand({ QueueUrl: queueUrls[destination], MessageBody: text }));
              return;
            case 'SNS Publish to an SQS subscription (JSON envelope)':
              await sns.send(new PublishCommand({ TopicArn: topicArns[destination], Message: text }));
              return;
            case 'SNS Publish to an SQS subscription with raw message delivery':
              await sns.send(new PublishCommand({ TopicArn: rawTopicArns[destination], Message: text }));
              return;
            case 'SNS Publish to a Lambda subscription': {
              // The event SNS invokes a subscribed function with (the vendor sample, this message in it).
              const sample = (snsSample as SnsEventLike).Records[0]!;
              const record = {
                ...sample,
                EventSubscriptionArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${destination}:${randomUUID()}`,
                Sns: {
                  ...sample.Sns,
                  MessageId: randomUUID(),
                  Message: text,
                  MessageAttributes: {},
                  Timestamp: new Date().toISOString(),
                  TopicArn: topicArns[destination]!,
                  Subject: null,
                },
              };
              const subscribers = app.functions.filter((f) => f.kind === 'topic' && f.source.name === destination);
              await Promise.all(subscribers.map((f) => invokeAsync(f, { Records: [record] })));
              return;
            }
            default:
              throw new Error(`aws harness: no native producer "${producer}"`);
          }
        },
        async storageEvent(object) {
          // The notification S3 sends straight to Lambda (event version 2.1): keys form-encoded.
          const now = new Date().toISOString();
          const record = {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'us-east-1',
            eventTime: now,
            eventName: 'ObjectCreated:Put',
            userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
            requestParameters: { sourceIPAddress: '203.0.113.7' },
            responseElements: { 'x-amz-request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(), 'x-amz-id-2': 'example' },
            s3: {
              s3SchemaVersion: '1.0',
              configurationId: 'faasport-conformance',
              bucket: { name: object.bucket, ownerIdentity: { principalId: 'A3EXAMPLE' }, arn: `arn:aws:s3:::${object.bucket}` },
              object: {
                key: encodeURIComponent(object.key).replace(/%20/g, '+').replace(/%2F/g, '/'),
                size: object.size,
                eTag: 'd41d8cd98f00b204e9800998ecf8427e',
                sequencer: Date.now().toString(16).toUpperCase(),
              },
            },
          };
          await Promise.all(app.functions.filter((f) => f.kind === 'event').map((f) => invokeAsync(f, { Records: [record] })));
        },
        async emit(event: CloudEvent) {
          const time = event.time ? new Date(event.time) : new Date();
          const bridged: EventBridgeEventLike = {
            version: '0',
            id: event.id,
            'detail-type': event.type,
            source: event.source,
            account: ACCOUNT,
            time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            region: 'us-east-1',
            resources: event.subject ? [event.subject] : [],
            detail: event.data ?? {},
          };
          await Promise.all(app.functions.filter((f) => f.kind === 'event').map((f) => invokeAsync(f, bridged)));
        },
        async tick(functionName, scheduledTime) {
          const fn = app.getFunction(functionName);
          if (!fn || fn.kind !== 'schedule') throw new Error(`no schedule function "${functionName}"`);
          const time = (scheduledTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
          await invokeAsync(fn, {
            version: '0',
            id: randomUUID(),
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: ACCOUNT,
            time,
            region: 'us-east-1',
            resources: [`arn:aws:events:us-east-1:${ACCOUNT}:rule/${functionName}`],
            detail: {},
          });
        },
        async settle(timeoutMs = 30_000) {
          const until = Date.now() + timeoutMs;
          let quiet = 0;
          while (quiet < 3) {
            if (Date.now() > until) throw new Error(`aws harness: messages still pending after ${timeoutMs} ms`);
            await new Promise((r) => setTimeout(r, 30));
            quiet = pendingMessages() === 0 && asyncInFlight === 0 && mappings.every((m) => !m.busy) ? quiet + 1 : 0;
          }
          if (errors.length > 0) throw errors.splice(0)[0];
        },
        async deadLetters(queue, functionName) {
          const def = app.getQueue(queue) ?? app.getTopic(queue);
          const fifo = def?.fifo ?? false;
          const name = functionName ? deadLetterQueueName({ name: functionName, source: { kind: 'topic', name: queue } }) : sqsQueueName(`${queue}-dlq`, fifo);
          const q = server.inspectQueue(name);
          if (!q) return [];
          // Non-destructive: every message still in the dead-letter queue.
          const all = [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((i) => i.message)];
          const envelopes = all.map((m) => JSON.parse(m.body) as DeadLetterEnvelope);
          dead.set(name, envelopes);
          return envelopes;
        },
        logs: () => logs,
        async stop() {
          await Promise.all(mappings.map((m) => m.stop()));
          sqs.destroy();
          sns.destroy();
          await server.stop();
        },
      };
    },
  };
}

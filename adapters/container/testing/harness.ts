import { SNSClient } from '@aws-sdk/client-sns';
import * as sqsModule from '@aws-sdk/client-sqs';
import type { App, CloudEvent, DeadLetterEnvelope, LogRecord, QueueFunctionDefinition } from 'faasport';
import type { ConformanceDriver, ConformanceHarness } from 'faasport';
import { deadLetterQueueName, envKey, sqsQueueName, subscriptionQueueName } from 'faasport/aws';
import { AwsProducer } from 'faasport/aws';
import { startLocalSqs, TEST_CLIENT_CONFIG } from 'faasport/aws/testing';
import { adapter } from '../runtime/adapter.js';
import { schedulePath } from '../runtime/control-api.js';
import { sqsSources } from '../runtime/sqs-source.js';
import { startContainer } from '../runtime/start-container.js';
import { bodies, depth, provisionSqs } from './aws-queues.js';

// A throwaway token for the harness's own server: only the harness calls the control endpoints.
const TOKEN = 'conformance-control-token';

/**
 * The container target under the conformance suite: the server runs in this process on a
 * real socket, its consumers pull from the local SQS/SNS server (the aws queue service; the
 * consumer loop, leases and dead-lettering are the same code on every cloud). Events and
 * schedules arrive as a platform delivers them: POST to the protected endpoints, an event
 * retried up to its function's maxAttempts while the endpoint answers 5xx (what EventBridge
 * or Eventarc do; a TEST DOUBLE of that platform retry).
 */
export function containerHarness(): ConformanceHarness {
  return {
    adapter,
    async start(app: App, { production }): Promise<ConformanceDriver> {
      const logs: LogRecord[] = [];
      const server = await startLocalSqs();
      const { env, consumerQueues } = provisionSqs(server, app);
      const config = TEST_CLIENT_CONFIG(server.address);
      const sqs = new sqsModule.SQSClient(config);
      const sns = new SNSClient(config);
      const queueUrls: Record<string, string> = {};
      const topicArns: Record<string, string> = {};
      for (const [name, value] of Object.entries(env)) {
        if (name.startsWith('FAASPORT_QUEUE_URL_')) queueUrls[logicalName(app, name.slice('FAASPORT_QUEUE_URL_'.length))] = value;
        if (name.startsWith('FAASPORT_TOPIC_ARN_')) topicArns[logicalName(app, name.slice('FAASPORT_TOPIC_ARN_'.length))] = value;
      }
      const producer = new AwsProducer({ sqs, sns, queueUrls, topicArns, region: 'us-east-1' });
      const { transport, sources } = sqsSources({ sqs, commands: sqsModule, producer, leaseSeconds: 5, waitSeconds: 1 });
      const running = await startContainer(
        app,
        { cloud: 'aws', transport, sources },
        {
          env: { PORT: '0', HOST: '127.0.0.1', FAASPORT_CONTROL_TOKEN: TOKEN, FAASPORT_LOG_LEVEL: 'debug' },
          logSink: (r) => logs.push(r),
          handleSignals: false,
          production,
        },
      );
      const control = (path: string, body: unknown) =>
        fetch(`${running.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      let inFlightControl = 0;
      const pending = (): number =>
        inFlightControl +
        running.consumers.reduce((n, c) => n + c.inFlight, 0) +
        consumerQueues.reduce((n, q) => {
          const d = depth(server, q);
          return n + d.ready + d.delayed + d.inflight;
        }, 0);
      return {
        async fetch(request) {
          const url = new URL(request.url);
          const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
          return fetch(`${running.url}${url.pathname}${url.search}`, {
            method: request.method,
            headers: request.headers,
            ...(body ? { body } : {}),
            redirect: 'manual',
          });
        },
        async emit(event: CloudEvent) {
          const attempts = Math.max(1, ...app.functions.filter((f) => f.kind === 'event').map((f) => f.maxAttempts));
          inFlightControl++;
          try {
            for (let attempt = 1; attempt <= attempts; attempt++) if ((await control('/_faasport/events', event)).ok) return;
          } finally {
            inFlightControl--;
          }
        },
        async tick(functionName, scheduledTime) {
          const res = await control(schedulePath(functionName), scheduledTime ? { scheduledTime: scheduledTime.toISOString() } : {});
          if (res.status === 404) throw new Error(`no schedule function "${functionName}"`);
        },
        async settle(timeoutMs = 30_000) {
          const until = Date.now() + timeoutMs;
          let quiet = 0;
          while (quiet < 3) {
            if (Date.now() > until) throw new Error(`container harness: messages still pending after ${timeoutMs} ms`);
            await new Promise((r) => setTimeout(r, 30));
            quiet = pending() === 0 ? quiet + 1 : 0;
          }
        },
        async deadLetters(queue, functionName) {
          const def = app.getQueue(queue) ?? app.getTopic(queue);
          const name = functionName
            ? deadLetterQueueName({ name: functionName, source: { kind: 'topic', name: queue } })
            : sqsQueueName(`${queue}-dlq`, def?.fifo ?? false);
          return server.inspectQueue(name) ? (bodies(server, name) as DeadLetterEnvelope[]) : [];
        },
        logs: () => logs,
        async stop() {
          await running.stop();
          sqs.destroy();
          sns.destroy();
          await server.stop();
        },
      };
    },
  };
}

/** `ORDERS_DLQ` → `orders-dlq`: the logical name whose env key this is. */
function logicalName(app: App, key: string): string {
  const names = [
    ...app.queues.flatMap((q) => [q.name, `${q.name}-dlq`]),
    ...app.topics.map((t) => t.name),
    ...app.functions
      .filter((f): f is QueueFunctionDefinition => f.kind === 'topic')
      .flatMap((f) => [subscriptionQueueName(f.source.name, f.name), deadLetterQueueName(f)]),
  ];
  return names.find((n) => envKey(n) === key) ?? key;
}

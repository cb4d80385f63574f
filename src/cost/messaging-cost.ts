import { meter, type LineItem } from './line-item.js';
import { price, type Cloud, type PriceTable } from './price-table.js';
import type { Workload } from './workload.js';

const KB64 = 64 * 1024;
const TIB = 2 ** 40;

/**
 * The queues, topics and schedule triggers an app uses on a cloud. They cost the same whether
 * the functions run as functions or as containers, so both estimates include these lines.
 */
export function messagingCost(cloud: Cloud, workload: Workload, table: PriceTable): LineItem[] {
  switch (cloud) {
    case 'aws':
      return awsMessaging(workload, table);
    case 'azure':
      return azureMessaging(workload, table);
    case 'gcp':
      return gcpMessaging(workload, table);
  }
}

/** SQS queues; topics are SNS with one SQS queue per subscriber; schedules are EventBridge. */
function awsMessaging(w: Workload, t: PriceTable): LineItem[] {
  const chunks = Math.ceil(w.messageBytes / KB64);
  const queueMessages = sum(w.channels.filter((c) => c.kind === 'queue').map((c) => c.messages));
  const topicDeliveries = sum(w.channels.filter((c) => c.kind === 'topic').map((c) => c.messages * c.subscribers));
  const topicPublishes = sum(w.channels.filter((c) => c.kind === 'topic').map((c) => c.messages));
  const runs = sum(w.schedules.map((s) => s.runsPerMonth));
  const items: LineItem[] = [];
  if (w.channels.length > 0) {
    items.push(
      meter({
        service: 'SQS',
        item: 'requests',
        quantity: (queueMessages + topicDeliveries) * 3 * chunks,
        unit: 'requests',
        free: price(t, 'sqs.freeRequests'),
        price: price(t, 'sqs.requestsPerMillion'),
        per: 1e6,
        note: `3 per message (send, receive, delete)${chunks > 1 ? ` × ${chunks} 64 KB chunks` : ''}; empty receives of idle long polls not counted`,
      }),
    );
  }
  if (w.channels.some((c) => c.kind === 'topic')) {
    items.push(
      meter({
        service: 'SNS',
        item: 'publishes',
        quantity: topicPublishes * chunks,
        unit: 'publishes',
        free: price(t, 'sns.freePublishes'),
        price: price(t, 'sns.publishesPerMillion'),
        per: 1e6,
        note: 'deliveries to the SQS queue of each subscriber are not charged by SNS',
      }),
    );
  }
  if (w.schedules.length > 0) {
    items.push(
      meter({
        service: 'EventBridge',
        item: 'schedule invocations',
        quantity: runs,
        unit: 'invocations',
        free: price(t, 'scheduler.freeInvocations'),
        price: price(t, 'scheduler.invocationsPerMillion'),
        per: 1e6,
      }),
    );
  }
  return items;
}

/** Storage queues, one per queue and one per topic subscription; timer triggers cost nothing extra. */
function azureMessaging(w: Workload, t: PriceTable): LineItem[] {
  if (w.channels.length === 0) return [];
  const deliveries = sum(w.channels.map((c) => (c.kind === 'queue' ? c.messages : c.messages * c.subscribers)));
  return [
    meter({
      service: 'Storage Queues',
      item: 'operations',
      quantity: deliveries * 3,
      unit: 'operations',
      price: price(t, 'storageQueue.operationsPer10k'),
      per: 1e4,
      note: "3 per message (put, get, delete); a topic publish writes one message per subscription queue; the host's polling of idle queues not counted",
    }),
  ];
}

/** Pub/Sub carries queues, topics and schedule ticks (Cloud Scheduler publishes to a topic). */
function gcpMessaging(w: Workload, t: PriceTable): LineItem[] {
  const minimum = price(t, 'pubsub.minimumBytesPerRequest') ?? 0;
  const billed = Math.max(minimum, w.messageBytes);
  const channelBytes = sum(w.channels.map((c) => c.messages * billed * (1 + c.subscribers)));
  const tickBytes = sum(w.schedules.map((s) => s.runsPerMonth * minimum * 2));
  const items: LineItem[] = [];
  if (w.channels.length > 0 || w.schedules.length > 0) {
    items.push(
      meter({
        service: 'Pub/Sub',
        item: 'data (ingestion + delivery)',
        quantity: channelBytes + tickBytes,
        unit: 'bytes',
        free: price(t, 'pubsub.freeBytes'),
        price: price(t, 'pubsub.tibDelivered'),
        per: TIB,
        note: `each message billed as ${billed} bytes when published and again per push delivery`,
      }),
    );
  }
  if (w.schedules.length > 0) {
    items.push(
      meter({
        service: 'Cloud Scheduler',
        item: 'jobs',
        quantity: w.schedules.length,
        unit: 'jobs',
        free: price(t, 'scheduler.freeJobs'),
        price: price(t, 'scheduler.jobMonth'),
        note: 'the free jobs are per billing account, shared with your other projects',
      }),
    );
  }
  return items;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

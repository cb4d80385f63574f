import type { ConformanceHarness, NativeProducer } from 'faasport';
import { compareRoutes, type App, type HttpFunctionDefinition, type LogRecord } from 'faasport';
import { decodeDeadLetter } from '../runtime/decode-dead-letter.js';
import { planDeployment } from '../target/deploy-plan.js';
import { adapter } from '../runtime/adapter.js';
import { gcpNames } from '../runtime/names.js';
import { createPubsubTransport } from '../runtime/producer.js';
import { PubsubStandIn, type StandInSubscription } from './pubsub-stand-in.js';
import { registerGcp } from '../runtime/register-gcp.js';
import { serveRegistered, type ServedFunction } from './serve-registered.js';

const EVENT_RETRY_MS = 50;
/** Topics with a plain push subscription per consumer, for messages delivered in push form. */
const PUSH_SUFFIX = '-push';

/** `gcloud pubsub topics publish` (or a client library) with and without attributes, delivered both ways a function can receive it. */
const NATIVE_PRODUCERS: readonly NativeProducer[] = (['queue', 'topic'] as const).flatMap((kind) => [
  { name: `Pub/Sub publish without attributes to ${kind === 'queue' ? 'a queue' : 'a topic'}, Eventarc CloudEvent`, kind, binary: true },
  { name: `Pub/Sub publish with attributes to ${kind === 'queue' ? 'a queue' : 'a topic'}, Eventarc CloudEvent`, kind, binary: true },
  { name: `Pub/Sub publish without attributes to ${kind === 'queue' ? 'a queue' : 'a topic'}, push subscription`, kind, binary: true },
  { name: `Pub/Sub publish with attributes to ${kind === 'queue' ? 'a queue' : 'a topic'}, push subscription`, kind, binary: true },
]);

/**
 * Drives the gcp adapter as Google runs it: every function registered with the real
 * Functions Framework and served by its own server (`getTestServer`) over real HTTP. What
 * Google's managed services would do around it comes from a named test double: Pub/Sub and
 * Eventarc ({@link PubsubStandIn}: push deliveries as binary CloudEvents, nack on non-2xx,
 * redelivery, dead-letter forwarding), a URL map for HTTP (each HTTP function has its own
 * URL on GCP), and Cloud Scheduler publishing a tick for its slot.
 */
export function gcpHarness(): ConformanceHarness {
  return {
    adapter,
    storageNotifications: true,
    nativeMessages: true,
    async start(app: App, { production }) {
      const logs: LogRecord[] = [];
      const names = gcpNames(app.name);
      const pubsub = new PubsubStandIn();
      const transport = createPubsubTransport({ appName: app.name, publisher: pubsub });
      registerGcp(app, { production, logSink: (r) => logs.push(r), logLevel: 'debug', transport, publisher: pubsub });
      // getTestServer snapshots each registration now, before another app can re-register the same names.
      // Google's Node.js runtime sets NODE_ENV=production, and Express fixes its error pages
      // from NODE_ENV when the server is created: a production run is served that way.
      const savedNodeEnv = process.env.NODE_ENV;
      if (production) process.env.NODE_ENV = 'production';
      let entries: (readonly [string, ServedFunction])[];
      try {
        entries = await Promise.all(app.functions.map(async (fn) => [fn.name, await serveRegistered(fn.name)] as const));
      } finally {
        if (savedNodeEnv === undefined) delete process.env.NODE_ENV;
        else process.env.NODE_ENV = savedNodeEnv;
      }
      const servers = new Map<string, ServedFunction>(entries);
      const url = (fn: string) => servers.get(fn)!.url;

      // Each subscription gets the dead-letter policy deploy.sh sets: max(5, maxAttempts) deliveries.
      const plan = planDeployment(app);
      const policyOf = (name: string) => plan.functions.find((f) => f.name === name)!.deadLetter!;
      for (const fn of app.functions) {
        if (fn.kind === 'queue' || fn.kind === 'topic') {
          const backoff = fn.source.backoff;
          pubsub.subscribe({
            name: names.subscription(fn.source.name, fn.name),
            topic: names.topic(fn.source.name),
            url: url(fn.name),
            maxDeliveryAttempts: policyOf(fn.name).maxDeliveryAttempts,
            deadLetterTopic: names.deadLetterTopic(fn.source.name),
            retryDelayMs: (n) => (backoff ? Math.min(backoff.maxDelayMs, backoff.initialDelayMs * backoff.multiplier ** (n - 1)) : 0),
          });
          pubsub.subscribe({
            name: names.subscription(`${fn.source.name}${PUSH_SUFFIX}`, fn.name),
            topic: `${names.topic(fn.source.name)}${PUSH_SUFFIX}`,
            url: url(fn.name),
            push: true,
            // The same policy as the Eventarc subscription: Pub/Sub never dead-letters below 5.
            maxDeliveryAttempts: policyOf(fn.name).maxDeliveryAttempts,
            deadLetterTopic: names.deadLetterTopic(fn.source.name),
            retryDelayMs: () => EVENT_RETRY_MS,
          });
        } else if (fn.kind === 'schedule') {
          pubsub.subscribe({
            name: names.subscription(`schedule-${fn.name}`, fn.name),
            topic: names.scheduleTopic(fn.name),
            url: url(fn.name),
            maxDeliveryAttempts: policyOf(fn.name).maxDeliveryAttempts,
            deadLetterTopic: names.deadLetterTopic(`schedule-${fn.name}`),
            retryDelayMs: () => EVENT_RETRY_MS,
          });
        }
      }
      const eventTriggers = new Map<string, StandInSubscription>(
        app.functions
          .filter((fn) => fn.kind === 'event')
          .map((fn) => [
            fn.name,
            {
              name: `eventarc-${fn.name}`,
              topic: '',
              url: url(fn.name),
              maxDeliveryAttempts: policyOf(fn.name).maxDeliveryAttempts,
              deadLetterTopic: names.deadLetterTopic(names.eventSource(fn.name)),
              retryDelayMs: () => EVENT_RETRY_MS,
            },
          ]),
      );
      const routes = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http').sort((a, b) => compareRoutes(a.route, b.route));

      return {
        async fetch(request) {
          // The URL map in front of the functions: the most specific route wins; the function itself checks the method.
          const target = new URL(request.url);
          const fn =
            routes.find(
              (r) =>
                r.route.match(target.pathname) &&
                (r.methods === '*' || r.methods.includes(request.method as never) || (request.method === 'HEAD' && r.methods.includes('GET'))),
            ) ?? routes.find((r) => r.route.match(target.pathname));
          if (!fn) return Response.json({ error: `no function serves ${target.pathname}`, code: 'NOT_FOUND' }, { status: 404 });
          return fetch(new Request(url(fn.name) + target.pathname + target.search, request));
        },
        nativeProducers: NATIVE_PRODUCERS,
        async sendNative(producer, destination, body) {
          if (!NATIVE_PRODUCERS.some((p) => p.name === producer)) throw new Error(`gcp harness: no native producer "${producer}"`);
          const topic = names.topic(destination) + (producer.endsWith('push subscription') ? PUSH_SUFFIX : '');
          // As `gcloud pubsub topics publish <topic> --message ... [--attribute origin=cli]` sends it: no faasport marker.
          await pubsub.publish(topic, [{ data: body, attributes: producer.includes('with attributes') ? { origin: 'cli' } : {} }]);
        },
        async storageEvent(object) {
          // What Eventarc delivers for a Cloud Storage write: google.cloud.storage.object.v1.finalized.
          const now = new Date().toISOString();
          const generation = String(Date.now() * 1000);
          const event = {
            specversion: '1.0' as const,
            id: generation,
            source: `//storage.googleapis.com/projects/_/buckets/${object.bucket}`,
            type: 'google.cloud.storage.object.v1.finalized',
            subject: `objects/${object.key}`,
            time: now,
            datacontenttype: 'application/json',
            data: {
              kind: 'storage#object',
              id: `${object.bucket}/${object.key}/${generation}`,
              name: object.key,
              bucket: object.bucket,
              generation,
              metageneration: '1',
              contentType: object.contentType,
              timeCreated: now,
              updated: now,
              storageClass: 'STANDARD',
              size: String(object.size),
              md5Hash: '1B2M2Y8AsgTpgAmY7PhCfg==',
              crc32c: 'AAAAAA==',
            },
          };
          for (const fn of app.functions) if (fn.kind === 'event') pubsub.pushEvent(eventTriggers.get(fn.name)!, event);
        },
        async emit(event) {
          for (const fn of app.functions) {
            if (fn.kind !== 'event') continue;
            // Eventarc filters on exact attributes; a prefix filter is the function's own, checked again inside.
            pubsub.pushEvent(eventTriggers.get(fn.name)!, event);
          }
        },
        async tick(functionName, scheduledTime = new Date()) {
          pubsub.publishAt(names.scheduleTopic(functionName), { data: new TextEncoder().encode('{}'), attributes: {} }, scheduledTime);
        },
        settle: (timeoutMs = 30_000) => pubsub.whenIdle(timeoutMs),
        async deadLetters(queue, functionName) {
          const source = app.getQueue(queue) || app.getTopic(queue) ? queue : queue.replace(/^event\//, 'event-');
          const consumers = app.functions.filter((f) => (f.kind === 'queue' || f.kind === 'topic') && f.source.name === queue);
          const functionFor = (subscription: string | undefined) =>
            consumers.find((c) => names.subscription(queue, c.name) === subscription)?.name ?? consumers[0]?.name ?? queue;
          return pubsub
            .retained(names.deadLetterTopic(source))
            .map((m) => decodeDeadLetter(m, { queue, functionFor }))
            .filter((e) => !functionName || e.functionName === functionName);
        },
        logs: () => logs,
        async stop() {
          pubsub.stop();
          await Promise.all([...servers.values()].map((s) => s.close()));
        },
      };
    },
  };
}

import { FaasportError, retriedConsumers, type App, type FunctionDefinition, type QueueDefinition } from 'faasport';
import { GCF_MAX_EVENT_TIMEOUT_MS, PUBSUB_MIN_DELIVERY_ATTEMPTS } from '../runtime/adapter.js';
import { gcpNames } from '../runtime/names.js';
import { RUNTIME_NODE_MAJOR } from 'faasport/adapter-kit';

/** How one function is deployed: its trigger, limits and the Pub/Sub policy behind it. */
export interface DeployedFunction {
  readonly name: string;
  readonly kind: FunctionDefinition['kind'];
  /** `http` (own URL), `topic` (Eventarc Pub/Sub trigger) or `event` (Eventarc trigger on a CloudEvent type). */
  readonly trigger: { readonly http: { readonly public: boolean } } | { readonly topic: string } | { readonly eventType: string | undefined };
  /** Event-driven functions are always deployed with retries on: a failure is never dropped. */
  readonly retry: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly minInstances: number;
  /**
   * The dead-letter policy set on the trigger's subscription. `maxDeliveryAttempts` is
   * `max(5, maxAttempts)` (Pub/Sub's floor); `maxAttempts` is the definition's count, at
   * which a queue consumer or topic subscriber dead-letters the message itself.
   */
  readonly deadLetter?: {
    readonly topic: string;
    readonly maxDeliveryAttempts: number;
    readonly maxAttempts: number;
    readonly minRetryDelaySeconds: number;
    readonly maxRetryDelaySeconds: number;
  };
  /** Cloud Scheduler job publishing this schedule's ticks. */
  readonly schedule?: { readonly job: string; readonly cron: string; readonly timeZone: string; readonly topic: string };
}

export interface DeployPlan {
  readonly app: string;
  readonly runtime: `nodejs${typeof RUNTIME_NODE_MAJOR}`;
  readonly topics: readonly string[];
  readonly deadLetterTopics: readonly string[];
  readonly functions: readonly DeployedFunction[];
}

const DEFAULT_EVENT_ATTEMPTS = PUBSUB_MIN_DELIVERY_ATTEMPTS;

/** What `faasport build --target gcp` deploys, as data (written to faasport-gcp.json and turned into deploy.sh). */
export function planDeployment(app: App): DeployPlan {
  const names = gcpNames(app.name);
  const topics = new Set<string>();
  const deadLetterTopics = new Set<string>();
  const policy = (source: string, maxAttempts: number, q?: QueueDefinition): DeployedFunction['deadLetter'] => {
    const topic = names.deadLetterTopic(source);
    deadLetterTopics.add(topic);
    // Pub/Sub retry delays are whole seconds from 0 to 600, exponential between the two.
    const backoff = q?.backoff;
    const min = backoff ? clamp(Math.round(backoff.initialDelayMs / 1000)) : 0;
    const max = backoff ? Math.max(min, clamp(Math.round(backoff.maxDelayMs / 1000))) : 0;
    return {
      topic,
      maxDeliveryAttempts: Math.max(PUBSUB_MIN_DELIVERY_ATTEMPTS, maxAttempts),
      maxAttempts,
      minRetryDelaySeconds: min,
      maxRetryDelaySeconds: max,
    };
  };
  for (const q of [...app.queues, ...app.topics]) topics.add(names.topic(q.name));

  const functions = app.functions.map((fn): DeployedFunction => {
    const base = { name: fn.name, kind: fn.kind, timeoutSeconds: Math.ceil(fn.timeoutMs / 1000), memoryMb: fn.memoryMb, minInstances: fn.warm };
    switch (fn.kind) {
      case 'http':
        return { ...base, trigger: { http: { public: fn.public } }, retry: false };
      case 'queue':
      case 'topic':
        return { ...base, trigger: { topic: names.topic(fn.source.name) }, retry: true, deadLetter: policy(fn.source.name, fn.source.maxAttempts, fn.source) };
      case 'schedule': {
        const topic = names.scheduleTopic(fn.name);
        topics.add(topic);
        return {
          ...base,
          trigger: { topic },
          retry: true,
          deadLetter: policy(`schedule-${fn.name}`, DEFAULT_EVENT_ATTEMPTS),
          schedule: { job: `${app.name}-${fn.name}`, cron: fn.cron ?? everyToCron(fn.name, fn.everyMs!), timeZone: fn.timezone ?? 'Etc/UTC', topic },
        };
      }
      case 'event':
        return {
          ...base,
          timeoutSeconds: Math.min(base.timeoutSeconds, GCF_MAX_EVENT_TIMEOUT_MS / 1000),
          trigger: { eventType: fn.type && !fn.type.endsWith('*') ? fn.type : undefined },
          retry: true,
          deadLetter: policy(names.eventSource(fn.name), fn.maxAttempts),
        };
    }
  });
  return { app: app.name, runtime: `nodejs${RUNTIME_NODE_MAJOR}` as const, topics: [...topics], deadLetterTopics: [...deadLetterTopics], functions };
}

/**
 * One build-log line per queue consumer and topic subscriber: who dead-letters a message
 * that keeps failing. Pub/Sub's policy cannot count below 5, so for fewer attempts faasport
 * does it (the delivery carries its count), and Pub/Sub's policy stays behind it.
 */
export function retryEnforcement(app: App): string[] {
  const plan = planDeployment(app);
  return retriedConsumers(app).map(({ fn, label }) => {
    const policy = plan.functions.find((f) => f.name === fn.name)!.deadLetter!;
    const below = policy.maxDeliveryAttempts > policy.maxAttempts;
    const pubsub = `Pub/Sub dead-letters at ${policy.maxDeliveryAttempts} (${below ? 'its floor' : 'maxDeliveryAttempts'})`;
    if (!fn.source.deadLetter)
      return `gcp: ${label}: ${pubsub}; faasport acknowledges and drops the message after attempt ${policy.maxAttempts} (deadLetter: false)`;
    if (!below) return `gcp: ${label}: ${pubsub}; faasport forwards the dead-letter envelope with the handler's error on that attempt, before Pub/Sub would`;
    return `gcp: ${label}: ${pubsub}; faasport dead-letters at ${policy.maxAttempts}, with the handler's error (a legacy push subscription carries no delivery count: then Pub/Sub's ${policy.maxDeliveryAttempts} applies)`;
  });
}

function clamp(seconds: number): number {
  return Math.min(600, Math.max(0, seconds));
}

/** Cloud Scheduler speaks cron only: `every` becomes the equivalent cron when there is one. */
export function everyToCron(name: string, everyMs: number): string {
  const minutes = everyMs / 60_000;
  if (minutes < 60 && 60 % minutes === 0) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  const hours = minutes / 60;
  if (Number.isInteger(hours) && hours < 24 && 24 % hours === 0) return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  if (hours === 24) return '0 0 * * *';
  throw new FaasportError(
    'CAPABILITY_UNSUPPORTED',
    `schedule "${name}": every ${minutes} minutes has no cron equivalent for Cloud Scheduler; use a divisor of 60 minutes or of 24 hours, or a cron expression`,
    {
      details: { adapter: 'gcp', need: 'every' },
    },
  );
}

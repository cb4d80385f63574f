import { defineAdapter, FaasportError, type Adapter } from 'faasport';

/** The clouds the container target deploys to. */
export const CONTAINER_CLOUDS = ['aws', 'gcp', 'azure'] as const;
export type ContainerCloud = (typeof CONTAINER_CLOUDS)[number];

const common = {
  http: true,
  queues: true,
  topics: true,
  schedules: true,
  events: true,
  // The consumers run messages concurrently; ordered groups are refused rather than reordered.
  fifo: false,
  batchSend: true,
  // The server's default request limit (FAASPORT_MAX_BODY_BYTES raises it, up to the platform's: Cloud Run takes 32 MiB).
  maxHttpBodyBytes: 6 * 1024 * 1024,
  // A container has no invocation limit; the core caps a handler's timeoutMs at 15 minutes.
  maxTimeoutMs: 900_000,
} as const;

/**
 * What the container target can run on each cloud: the queue service's limits (SQS,
 * Pub/Sub, Storage queues). Attempts are counted by the consumer from the platform's
 * delivery count; Pub/Sub's dead-letter policy (5-100) is only the backstop, so 100 is its cap.
 */
export const containerAdapters: Readonly<Record<ContainerCloud, Adapter>> = {
  aws: defineAdapter({ name: 'container', capabilities: { ...common, maxDelaySeconds: 900, maxMessageBytes: 256 * 1024, maxAttempts: { min: 1, max: 1000 } } }),
  gcp: defineAdapter({
    name: 'container',
    capabilities: { ...common, maxDelaySeconds: 0, maxMessageBytes: 10 * 1000 * 1000, maxAttempts: { min: 1, max: 100 } },
  }),
  azure: defineAdapter({
    name: 'container',
    capabilities: { ...common, maxDelaySeconds: 604_800, maxMessageBytes: 64 * 1024, maxAttempts: { min: 1, max: 1000 } },
  }),
};

/**
 * The container target as the CLI first sees it, before `--cloud` is known: the widest of
 * the three. `build` checks the app again against the chosen cloud's adapter.
 */
export const adapter = defineAdapter({
  name: 'container',
  capabilities: { ...common, maxDelaySeconds: 604_800, maxMessageBytes: 10 * 1000 * 1000, maxAttempts: { min: 1, max: 1000 } },
});

/** `--cloud` checked: one of aws, gcp, azure. */
export function toContainerCloud(value: unknown, operation: string): ContainerCloud {
  if (typeof value === 'string' && (CONTAINER_CLOUDS as readonly string[]).includes(value)) return value as ContainerCloud;
  throw new FaasportError(
    'CONFIG_INVALID',
    `${operation}: ${value === undefined ? 'missing --cloud' : `--cloud "${String(value).slice(0, 40)}" is not known`}; pass --cloud aws (ECS Fargate), gcp (Cloud Run) or azure (Container Apps)`,
  );
}

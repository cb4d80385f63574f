import { meter, totalUsd, type LineItem } from './line-item.js';
import { messagingCost, sum } from './messaging-cost.js';
import { price, type Cloud, type PriceTable } from './price-table.js';
import { SECONDS_PER_MONTH, type FunctionUse, type Workload } from './workload.js';

/** The monthly cost of an app on one cloud, line by line. */
export interface CloudCost {
  readonly cloud: Cloud;
  readonly model: 'functions' | 'containers';
  /** The products the estimate prices, e.g. "Lambda + API Gateway HTTP API + SQS". */
  readonly platform: string;
  readonly items: readonly LineItem[];
  /** Sum of the priced lines, USD, to the cent. */
  readonly totalUsd: number;
  /** Lines without a public price (their cost is not in the total). */
  readonly unpriced: readonly string[];
  readonly notes: readonly string[];
}

/** The app as functions: Lambda, Azure Functions Flex Consumption, or Cloud Run functions, plus its messaging. */
export function functionCost(cloud: Cloud, workload: Workload, table: PriceTable): CloudCost {
  const compute = cloud === 'aws' ? lambdaCost(workload, table) : cloud === 'azure' ? flexCost(workload, table) : cloudRunFunctionsCost(workload, table);
  const items = [...compute.items, ...messagingCost(cloud, workload, table)];
  return toCloudCost(cloud, 'functions', items, compute.notes);
}

/** Assembles a CloudCost: the platform line names the services in the order they bill. */
export function toCloudCost(cloud: Cloud, model: CloudCost['model'], items: LineItem[], notes: string[]): CloudCost {
  const services = [...new Set(items.map((i) => i.service))];
  return {
    cloud,
    model,
    platform: services.join(' + '),
    items,
    totalUsd: totalUsd(items),
    unpriced: items.filter((i) => i.usd === null).map((i) => `${i.service} ${i.item}`),
    notes,
  };
}

interface Compute {
  items: LineItem[];
  notes: string[];
}

/** AWS Lambda (x86, billed per 1 ms) behind an API Gateway HTTP API for HTTP functions. */
export function lambdaCost(w: Pick<Workload, 'functions' | 'requestsPerMonth'>, t: PriceTable): Compute {
  const invocations = sum(w.functions.map((f) => f.invocations));
  const gbSeconds = sum(w.functions.map((f) => f.invocations * (Math.ceil(f.durationMs) / 1000) * (clamp(f.memoryMb, 128, 10240) / 1024)));
  const items = [
    meter({
      service: 'Lambda',
      item: 'requests',
      quantity: invocations,
      unit: 'requests',
      free: price(t, 'lambda.freeRequests'),
      price: price(t, 'lambda.requestsPerMillion'),
      per: 1e6,
    }),
    meter({
      service: 'Lambda',
      item: 'compute',
      quantity: gbSeconds,
      unit: 'GB-s',
      free: price(t, 'lambda.freeGbSeconds'),
      price: price(t, 'lambda.gbSecond'),
    }),
  ];
  if (w.functions.some((f) => f.kind === 'http')) {
    items.push(
      meter({
        service: 'API Gateway',
        item: 'HTTP API requests',
        quantity: w.requestsPerMonth,
        unit: 'requests',
        price: price(t, 'apigw.httpRequestsPerMillion'),
        per: 1e6,
        note: 'the 1M-request free tier lasts only the first 12 months and is not applied',
      }),
    );
  }
  return { items, notes: ['Lambda: one invocation per message (an SQS batch of one).'] };
}

/** Instance memory sizes of the Flex Consumption plan, MB; a function's memory rounds up to one. */
const FLEX_INSTANCE_MB = [512, 2048, 4096] as const;

/** How a Flex Consumption estimate is made; the defaults are the monthly estimate of `faasport cost`. */
export interface FlexOptions {
  /** Wall-clock seconds the usage spreads over (a month unless a vendor example says otherwise). */
  readonly periodSeconds?: number;
  /**
   * Executions one instance runs at once. 1 (the default) is Microsoft's "CPU-bound" case and
   * the same assumption the container estimate makes (each invocation keeps its share of a CPU
   * busy), so it is the upper bound; I/O-bound handlers that overlap on one instance cost less.
   */
  readonly concurrency?: number;
}

/**
 * Azure Functions Flex Consumption, on-demand (no always-ready instances).
 *
 * Microsoft bills "the total amount of memory provisioned during the time each on demand
 * instance is actively executing functions": instance memory × active instance time, not
 * time per execution, and the 1,000 ms minimum applies to an instance's billable activity
 * period (then rounded up to 100 ms). Per scale group (all HTTP functions share instances,
 * every other function scales alone) the active time is the executions' own time divided by
 * the concurrency; when executions are so sparse that each is an activity period of its own,
 * each is billed at least the minimum, which can add at most one instance's wall-clock time.
 */
export function flexCost(w: Pick<Workload, 'functions'>, t: PriceTable, options: FlexOptions = {}): Compute {
  const minimumSeconds = (price(t, 'flex.minimumBilledMs') ?? 0) / 1000;
  const period = options.periodSeconds ?? SECONDS_PER_MONTH;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const groups = new Map<string, FunctionUse[]>();
  for (const f of w.functions) {
    const key = f.kind === 'http' ? 'http' : `function:${f.name}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  let gbSeconds = 0;
  for (const group of groups.values()) {
    const instanceGb = flexInstanceMb(Math.max(...group.map((f) => f.memoryMb))) / 1024;
    const busy = sum(group.map((f) => f.invocations * (f.durationMs / 1000))) / concurrency;
    const eachAlone = sum(group.map((f) => f.invocations * Math.max(Math.ceil(f.durationMs / 100) / 10, minimumSeconds)));
    gbSeconds += Math.max(busy, Math.min(eachAlone, period)) * instanceGb;
  }
  const invocations = sum(w.functions.map((f) => f.invocations));
  const sizes = [...new Set(w.functions.map((f) => flexInstanceMb(f.memoryMb)))];
  return {
    items: [
      meter({
        service: 'Functions Flex Consumption',
        item: 'executions',
        quantity: invocations,
        unit: 'executions',
        free: price(t, 'flex.freeExecutions'),
        price: price(t, 'flex.executionsPerMillion'),
        per: 1e6,
      }),
      meter({
        service: 'Functions Flex Consumption',
        item: 'on-demand execution time',
        quantity: gbSeconds,
        unit: 'GB-s',
        free: price(t, 'flex.freeGbSeconds'),
        price: price(t, 'flex.gbSecond'),
        note: `instance memory ${sizes.join('/')} MB × active instance time${minimumSeconds ? `, at least ${minimumSeconds * 1000} ms per activity period` : ''}`,
      }),
    ],
    notes: [
      concurrency === 1
        ? "Flex Consumption: one execution per instance at a time (Microsoft's CPU-bound case); I/O-bound executions that overlap on one instance cost less."
        : `Flex Consumption: ${concurrency} executions per instance at a time.`,
    ],
  };
}

function flexInstanceMb(memoryMb: number): number {
  return FLEX_INSTANCE_MB.find((size) => size >= memoryMb) ?? FLEX_INSTANCE_MB[FLEX_INSTANCE_MB.length - 1]!;
}

/** Memory tiers of Cloud Run functions and the vCPU each gets (cloud.google.com/functions/docs/configuring/memory). */
const GCP_FUNCTION_TIERS: readonly { readonly mb: number; readonly vcpu: number }[] = [
  { mb: 128, vcpu: 0.083 },
  { mb: 256, vcpu: 0.167 },
  { mb: 512, vcpu: 0.333 },
  { mb: 1024, vcpu: 0.583 },
  { mb: 2048, vcpu: 1 },
  { mb: 4096, vcpu: 2 },
  { mb: 8192, vcpu: 2 },
  { mb: 16384, vcpu: 4 },
  { mb: 32768, vcpu: 8 },
];

function gcpFunctionTier(memoryMb: number): { mb: number; vcpu: number } {
  return GCP_FUNCTION_TIERS.find((t) => t.mb >= memoryMb) ?? GCP_FUNCTION_TIERS[GCP_FUNCTION_TIERS.length - 1]!;
}

/** Cloud Run functions (Cloud Functions 2nd gen): Cloud Run request-based billing, time rounded up to 100 ms. */
export function cloudRunFunctionsCost(w: Pick<Workload, 'functions'>, t: PriceTable): Compute {
  const billedSeconds = (f: FunctionUse): number => (Math.ceil(f.durationMs / 100) * 100) / 1000;
  const invocations = sum(w.functions.map((f) => f.invocations));
  const vcpuSeconds = sum(w.functions.map((f) => f.invocations * billedSeconds(f) * gcpFunctionTier(f.memoryMb).vcpu));
  const gibSeconds = sum(w.functions.map((f) => f.invocations * billedSeconds(f) * (gcpFunctionTier(f.memoryMb).mb / 1024)));
  return {
    items: [
      meter({
        service: 'Cloud Run functions',
        item: 'requests',
        quantity: invocations,
        unit: 'requests',
        free: price(t, 'run.requestBased.freeRequests'),
        price: price(t, 'run.requestBased.requestsPerMillion'),
        per: 1e6,
      }),
      meter({
        service: 'Cloud Run functions',
        item: 'CPU',
        quantity: vcpuSeconds,
        unit: 'vCPU-s',
        free: price(t, 'run.requestBased.freeVcpuSeconds'),
        price: price(t, 'run.requestBased.vcpuSecond'),
      }),
      meter({
        service: 'Cloud Run functions',
        item: 'memory',
        quantity: gibSeconds,
        unit: 'GiB-s',
        free: price(t, 'run.requestBased.freeGibSeconds'),
        price: price(t, 'run.requestBased.gibSecond'),
      }),
    ],
    notes: ['Cloud Run functions: one request per instance at a time (the functions default), CPU as the memory tier gives it.'],
  };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

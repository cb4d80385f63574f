import { toCloudCost, type CloudCost } from './function-cost.js';
import { meter, type LineItem } from './line-item.js';
import { messagingCost, sum } from './messaging-cost.js';
import { price, type Cloud, type PriceTable } from './price-table.js';
import { HOURS_PER_MONTH, SECONDS_PER_MONTH, type Workload } from './workload.js';

/** The container every cloud runs the whole app in, and how busy it may get before another starts. */
export interface ContainerSizing {
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Share of the vCPUs the app may keep busy before another instance is added (headroom for bursts). */
  readonly targetUtilisation: number;
  /** Instances kept running at zero traffic (no cold starts, a reachable service). */
  readonly minInstances: number;
}

export const DEFAULT_SIZING: ContainerSizing = { vcpu: 1, memoryGiB: 2, targetUtilisation: 0.6, minInstances: 1 };

/**
 * Lambda's documented ratio: a function with 1,769 MB has the equivalent of one vCPU, and CPU
 * scales with memory below that.
 */
const MB_PER_VCPU = 1769;

/**
 * Instances needed for the month's work: each invocation keeps busy, for its whole duration,
 * the share of a vCPU its function's memory buys on Lambda (512 MB: 0.29 vCPU). That is the
 * CPU the duration was measured or stated with; handlers that mostly wait on I/O need less.
 */
export function instancesNeeded(workload: Pick<Workload, 'functions'>, sizing: ContainerSizing = DEFAULT_SIZING): number {
  const busyVcpus = sum(workload.functions.map((f) => f.invocations * (f.durationMs / 1000) * Math.min(1, f.memoryMb / MB_PER_VCPU))) / SECONDS_PER_MONTH;
  return Math.max(sizing.minInstances, Math.ceil(busyVcpus / (sizing.vcpu * sizing.targetUtilisation)));
}

/** The app as one always-on container service: Fargate (+ ALB), Cloud Run instance-based, Container Apps. */
export function containerCost(cloud: Cloud, workload: Workload, table: PriceTable, sizing: ContainerSizing = DEFAULT_SIZING): CloudCost {
  const instances = instancesNeeded(workload, sizing);
  const compute =
    cloud === 'aws'
      ? fargate(workload, table, sizing, instances)
      : cloud === 'azure'
        ? containerApps(workload, table, sizing, instances)
        : cloudRunInstances(table, sizing, instances);
  const notes = [
    `${instances} instance(s) of ${sizing.vcpu} vCPU / ${sizing.memoryGiB} GiB running all month (each invocation keeps its memory's share of a vCPU busy for its duration, 1 vCPU per ${MB_PER_VCPU} MB as on Lambda; ${sizing.targetUtilisation * 100}% target utilisation, at least ${sizing.minInstances}).`,
  ];
  return toCloudCost(cloud, 'containers', [...compute, ...messagingCost(cloud, workload, table)], notes);
}

/**
 * Fargate's two compute lines for `taskHours` of tasks of one size (AWS's own formula: tasks ×
 * vCPUs or GB × price × duration). Ephemeral storage beyond the included 20 GB is not modelled.
 */
export function fargateCompute(t: PriceTable, task: Pick<ContainerSizing, 'vcpu' | 'memoryGiB'>, taskHours: number): LineItem[] {
  return [
    meter({ service: 'Fargate', item: 'vCPU', quantity: taskHours * task.vcpu, unit: 'vCPU-hours', price: price(t, 'fargate.vcpuHour') }),
    meter({ service: 'Fargate', item: 'memory', quantity: taskHours * task.memoryGiB, unit: 'GB-hours', price: price(t, 'fargate.gbHour') }),
  ];
}

function fargate(w: Workload, t: PriceTable, s: ContainerSizing, instances: number): LineItem[] {
  const items = fargateCompute(t, s, instances * HOURS_PER_MONTH);
  if (w.functions.some((f) => f.kind === 'http')) {
    const rps = w.requestsPerMonth / SECONDS_PER_MONTH;
    items.push(
      meter({ service: 'Application Load Balancer', item: 'hours', quantity: HOURS_PER_MONTH, unit: 'hours', price: price(t, 'alb.hour') }),
      meter({
        service: 'Application Load Balancer',
        item: 'LCU',
        quantity: (rps / 25) * HOURS_PER_MONTH,
        unit: 'LCU-hours',
        price: price(t, 'alb.lcuHour'),
        note: 'one new connection per request (25 per second per LCU); keep-alive clients cost less',
      }),
    );
  }
  return items;
}

function cloudRunInstances(t: PriceTable, s: ContainerSizing, instances: number): LineItem[] {
  const seconds = instances * SECONDS_PER_MONTH;
  return [
    meter({
      service: 'Cloud Run (instance-based)',
      item: 'CPU',
      quantity: seconds * s.vcpu,
      unit: 'vCPU-s',
      free: price(t, 'run.instanceBased.freeVcpuSeconds'),
      price: price(t, 'run.instanceBased.vcpuSecond'),
    }),
    meter({
      service: 'Cloud Run (instance-based)',
      item: 'memory',
      quantity: seconds * s.memoryGiB,
      unit: 'GiB-s',
      free: price(t, 'run.instanceBased.freeGibSeconds'),
      price: price(t, 'run.instanceBased.gibSecond'),
    }),
  ];
}

function containerApps(w: Workload, t: PriceTable, s: ContainerSizing, instances: number): LineItem[] {
  const seconds = instances * SECONDS_PER_MONTH;
  const items = [
    meter({
      service: 'Container Apps',
      item: 'vCPU (active)',
      quantity: seconds * s.vcpu,
      unit: 'vCPU-s',
      free: price(t, 'containerApps.freeVcpuSeconds'),
      price: price(t, 'containerApps.vcpuSecond'),
      note: 'every replica-second at the active rate; a minimum replica idle between requests bills at the lower idle rate, not applied (an upper bound)',
    }),
    meter({
      service: 'Container Apps',
      item: 'memory (active)',
      quantity: seconds * s.memoryGiB,
      unit: 'GiB-s',
      free: price(t, 'containerApps.freeGibSeconds'),
      price: price(t, 'containerApps.gibSecond'),
    }),
  ];
  if (w.functions.some((f) => f.kind === 'http')) {
    items.push(
      meter({
        service: 'Container Apps',
        item: 'requests',
        quantity: w.requestsPerMonth,
        unit: 'requests',
        free: price(t, 'containerApps.freeRequests'),
        price: price(t, 'containerApps.requestsPerMillion'),
        per: 1e6,
      }),
    );
  }
  return items;
}

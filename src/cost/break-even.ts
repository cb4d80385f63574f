import type { App } from '../app.js';
import { containerCost, DEFAULT_SIZING, type ContainerSizing } from './container-cost.js';
import { functionCost, type CloudCost } from './function-cost.js';
import { CLOUDS, type Cloud, type PriceTable } from './price-table.js';
import { deriveWorkload, SECONDS_PER_MONTH, type Workload, type WorkloadOptions } from './workload.js';

/** Both estimates for every cloud at one request rate. */
export interface Estimate {
  readonly rps: number;
  readonly workload: Workload;
  readonly clouds: Readonly<Record<Cloud, { readonly functions: CloudCost; readonly containers: CloudCost }>>;
}

/** Estimates the app at any request rate, everything else held as given. */
export function estimator(app: App, options: Omit<WorkloadOptions, 'requestsPerMonth'>, tables: Record<Cloud, PriceTable>, sizing: ContainerSizing = DEFAULT_SIZING): (rps: number) => Estimate {
  return (rps) => {
    const workload = deriveWorkload(app, { ...options, requestsPerMonth: rps * SECONDS_PER_MONTH });
    const clouds = {} as Record<Cloud, { functions: CloudCost; containers: CloudCost }>;
    for (const cloud of CLOUDS) {
      clouds[cloud] = { functions: functionCost(cloud, workload, tables[cloud]), containers: containerCost(cloud, workload, tables[cloud], sizing) };
    }
    return { rps, workload, clouds };
  };
}

/** The request rate from which containers cost less than functions, or null below `maxRps`. */
export interface BreakEven {
  readonly cloud: Cloud;
  readonly rps: number | null;
  readonly requestsPerMonth: number | null;
  /** Both monthly totals at the break-even rate. */
  readonly functionsUsd: number | null;
  readonly containersUsd: number | null;
}

const MIN_RPS = 0.001;
const MAX_RPS = 10_000;

/**
 * Finds the lowest request rate at which containers are cheaper than functions: a scan over
 * a log-spaced grid, then bisection inside the first interval where the order flips. Costs
 * step (containers add whole instances), so this is the first crossing, and the totals either
 * side of it are returned for the user to see.
 */
export function breakEven(cloud: Cloud, estimate: (rps: number) => Estimate, maxRps = MAX_RPS): BreakEven {
  const cheaper = (rps: number): boolean => {
    const c = estimate(rps).clouds[cloud];
    return c.containers.totalUsd < c.functions.totalUsd;
  };
  const steps = 120;
  let low = MIN_RPS;
  if (cheaper(low)) return at(cloud, estimate, low);
  for (let i = 1; i <= steps; i++) {
    const rps = MIN_RPS * (maxRps / MIN_RPS) ** (i / steps);
    if (!cheaper(rps)) {
      low = rps;
      continue;
    }
    let high = rps;
    for (let j = 0; j < 40 && high - low > 1e-6 * high; j++) {
      const mid = (low + high) / 2;
      if (cheaper(mid)) high = mid;
      else low = mid;
    }
    return at(cloud, estimate, high);
  }
  return { cloud, rps: null, requestsPerMonth: null, functionsUsd: null, containersUsd: null };
}

function at(cloud: Cloud, estimate: (rps: number) => Estimate, rps: number): BreakEven {
  const c = estimate(rps).clouds[cloud];
  return { cloud, rps, requestsPerMonth: rps * SECONDS_PER_MONTH, functionsUsd: c.functions.totalUsd, containersUsd: c.containers.totalUsd };
}

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
export function estimator(
  app: App,
  options: Omit<WorkloadOptions, 'requestsPerMonth'>,
  tables: Record<Cloud, PriceTable>,
  sizing: ContainerSizing = DEFAULT_SIZING,
): (rps: number) => Estimate {
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
  /**
   * The rate above `rps` from which functions stay cheaper (up to `maxRps`), or null when
   * containers are cheaper at `maxRps` (per-period minimums can make functions dear at
   * moderate rates only). In between, container steps may flip the order briefly.
   */
  readonly untilRps: number | null;
}

const MIN_RPS = 0.001;
const MAX_RPS = 10_000;
const STEPS = 120;

/**
 * Finds the lowest request rate at which containers are cheaper than functions: a scan over
 * a log-spaced grid, then bisection inside the first interval where the order flips. Costs
 * step (containers add whole instances), so this is the first crossing, and the totals either
 * side of it are returned for the user to see, with the rate, if any, past which functions stay
 * cheaper.
 */
export function breakEven(cloud: Cloud, estimate: (rps: number) => Estimate, maxRps = MAX_RPS): BreakEven {
  const cheaper = (rps: number): boolean => {
    const c = estimate(rps).clouds[cloud];
    return c.containers.totalUsd < c.functions.totalUsd;
  };
  const grid = Array.from({ length: STEPS + 1 }, (_, i) => MIN_RPS * (maxRps / MIN_RPS) ** (i / STEPS));
  const from = firstFlip(grid, cheaper, false);
  if (from === null) return { cloud, rps: null, requestsPerMonth: null, functionsUsd: null, containersUsd: null, untilRps: null };
  const c = estimate(from).clouds[cloud];
  // Containers add whole instances, so the order can flip back and forth; what the user needs
  // is the rate past which functions stay cheaper, found from the top of the grid down.
  const above = [from, ...grid.filter((rps) => rps > from)];
  let last = above.length - 1;
  while (last > 0 && !cheaper(above[last]!)) last--;
  const until = last === above.length - 1 ? null : firstFlip([above[last]!, above[last + 1]!], cheaper, true);
  return {
    cloud,
    rps: from,
    requestsPerMonth: from * SECONDS_PER_MONTH,
    functionsUsd: c.functions.totalUsd,
    containersUsd: c.containers.totalUsd,
    untilRps: until,
  };
}

/** The lowest rate on the grid (refined by bisection) where `test` stops being `was`; the first point itself when it already differs. */
function firstFlip(grid: readonly number[], test: (rps: number) => boolean, was: boolean): number | null {
  if (test(grid[0]!) !== was) return grid[0]!;
  let low = grid[0]!;
  for (const rps of grid.slice(1)) {
    if (test(rps) === was) {
      low = rps;
      continue;
    }
    let high = rps;
    for (let j = 0; j < 40 && high - low > 1e-6 * high; j++) {
      const mid = (low + high) / 2;
      if (test(mid) === was) low = mid;
      else high = mid;
    }
    return high;
  }
  return null;
}

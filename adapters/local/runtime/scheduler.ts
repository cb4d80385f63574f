import { Cron } from 'croner';
import type { ScheduleFunctionDefinition } from 'faasport';

/** A tick later than this after its slot counts as past due. */
export const PAST_DUE_AFTER_MS = 1000;

/** When `def` fires next after `from` (cron via croner, `every` aligned to the epoch). */
export function nextRun(def: ScheduleFunctionDefinition, from: Date): Date | undefined {
  if (def.cron !== undefined) {
    const cron = new Cron(def.cron, { paused: true, ...(def.timezone ? { timezone: def.timezone } : {}) });
    return cron.nextRun(from) ?? undefined;
  }
  const every = def.everyMs!;
  return new Date((Math.floor(from.getTime() / every) + 1) * every);
}

/**
 * Runs schedules on real cron timing. Each firing calls `fire(def, scheduledTime)`; a slow
 * handler does not shift the next slot.
 */
export class Scheduler {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #running = false;

  constructor(
    private readonly schedules: readonly ScheduleFunctionDefinition[],
    private readonly fire: (def: ScheduleFunctionDefinition, scheduledTime: Date) => void,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const def of this.schedules) this.#arm(def, new Date());
  }

  stop(): void {
    this.#running = false;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Next firing per schedule, for the dev server's listing. */
  upcoming(): { name: string; next: Date | undefined }[] {
    const now = new Date();
    return this.schedules.map((def) => ({ name: def.name, next: nextRun(def, now) }));
  }

  #arm(def: ScheduleFunctionDefinition, from: Date): void {
    const next = nextRun(def, from);
    if (!next || !this.#running) return;
    // setTimeout caps at ~24.8 days; re-arm in steps for schedules further out.
    const wait = Math.min(next.getTime() - Date.now(), 2_000_000_000);
    const timer = setTimeout(
      () => {
        if (Date.now() < next.getTime()) return this.#arm(def, from);
        this.fire(def, next);
        this.#arm(def, next);
      },
      Math.max(0, wait),
    );
    timer.unref();
    this.#timers.set(def.name, timer);
  }
}

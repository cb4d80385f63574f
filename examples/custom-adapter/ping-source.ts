import { Cron } from 'croner';
import { summariseError, type App, type Logger, type ScheduleFunctionDefinition } from 'faasport';
import { encodeBinaryMode } from './encode-http-binding.js';
import { encodePingEvent } from './encode-ping-event.js';
import { pingSourceName } from './ping-source-ref.js';

/** The in-process stand-in for the app's PingSources: one cron timer per schedule, sending to the broker ingress. */
export interface PingSources {
  /** Sends one ping for `def` now (what the timer does at each slot). */
  fire(def: ScheduleFunctionDefinition, scheduledTime: Date): Promise<void>;
  stop(): void;
}

export interface PingSourceOptions {
  /** Where the PingSources send: the broker ingress URL. */
  readonly sink: string;
  readonly namespace: string;
  readonly log: Logger;
}

/** A PingSource retries a failed send 5 times, exponentially from 50 ms, then the ping is lost (and logged). */
const RETRIES = 5;
const FIRST_RETRY_MS = 50;

/**
 * Starts a cron timer per schedule, as a Knative PingSource (`spec.schedule`, `spec.timezone`)
 * does. Each firing POSTs a binary-mode `dev.knative.sources.ping` event whose `time` is the
 * slot (the start of the minute) to the sink. `every` schedules run every N minutes.
 */
export function startPingSources(app: App, options: PingSourceOptions): PingSources {
  const schedules = app.functions.filter((f): f is ScheduleFunctionDefinition => f.kind === 'schedule');
  let stopped = false;

  const fire = async (def: ScheduleFunctionDefinition, scheduledTime: Date): Promise<void> => {
    const { headers, body } = encodeBinaryMode(encodePingEvent({ namespace: options.namespace, name: pingSourceName(def.name) }, scheduledTime));
    let lastProblem = '';
    for (let attempt = 0; attempt <= RETRIES && !stopped; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, FIRST_RETRY_MS * 2 ** (attempt - 1)));
      try {
        const res = await fetch(options.sink, { method: 'POST', headers, body: body as BodyInit | undefined });
        await res.arrayBuffer();
        if (res.ok) return;
        lastProblem = `sink answered ${res.status}`;
      } catch (err) {
        lastProblem = summariseError(err).message;
      }
    }
    if (!stopped) options.log.error('ping lost after retries', { schedule: def.name, scheduledTime: scheduledTime.toISOString(), problem: lastProblem });
  };

  const slot = (): Date => new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const timers = schedules.map((def) =>
    def.cron !== undefined
      ? new Cron(def.cron, { ...(def.timezone ? { timezone: def.timezone } : {}) }, () => void fire(def, slot()))
      : new Cron('* * * * *', { interval: def.everyMs! / 1000 }, () => void fire(def, slot())),
  );

  return {
    fire,
    stop() {
      stopped = true;
      for (const t of timers) t.stop();
    },
  };
}

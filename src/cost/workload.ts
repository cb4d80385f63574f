import { Cron } from 'croner';
import type { App } from '../app.js';
import type { FunctionDefinition, ScheduleFunctionDefinition } from '../definitions.js';

/** Hours in a billing month, the convention AWS, Azure and Google calculators use (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

/** What one function does in a month. */
export interface FunctionUse {
  readonly name: string;
  readonly kind: FunctionDefinition['kind'];
  readonly invocations: number;
  readonly durationMs: number;
  readonly memoryMb: number;
}

/** What one queue or topic carries in a month. */
export interface ChannelUse {
  readonly name: string;
  readonly kind: 'queue' | 'topic';
  /** Messages sent or published to it. */
  readonly messages: number;
  /** Consuming functions: 0 or 1 for a queue, any number for a topic. */
  readonly subscribers: number;
}

export interface ScheduleUse {
  readonly name: string;
  readonly runsPerMonth: number;
}

/** The monthly usage of an app, derived from its definition and the traffic flags. */
export interface Workload {
  readonly requestsPerMonth: number;
  readonly functions: readonly FunctionUse[];
  readonly channels: readonly ChannelUse[];
  readonly schedules: readonly ScheduleUse[];
  /** Size of one queue or topic message, bytes. */
  readonly messageBytes: number;
  /** The assumptions the numbers rest on, for the user to check. */
  readonly notes: readonly string[];
}

export interface WorkloadOptions {
  readonly requestsPerMonth: number;
  /** Default duration of one invocation, ms. */
  readonly durationMs: number;
  /** Measured durations by function name (`--measure`); the default applies to the others. */
  readonly measuredMs?: Readonly<Record<string, number>>;
  /** Memory of every function, MB; default: each function's own `memoryMb`. */
  readonly memoryMb?: number;
  /** `--messages-per-month`: one number for every queue, topic and event function, and/or per name. */
  readonly messages?: { readonly all?: number; readonly byName: Readonly<Record<string, number>> };
  readonly messageBytes?: number;
}

/**
 * Works out what an app uses in a month: HTTP requests are shared evenly by the HTTP
 * functions; every invocation of a function sends one message to each queue or topic in its
 * `sends` (unless `--messages-per-month` names the count); a queue's consumer runs once per
 * message and every topic subscriber once per published message; schedules run as their cron
 * says over a 730-hour month.
 */
export function deriveWorkload(app: App, options: WorkloadOptions): Workload {
  const notes: string[] = [];
  const http = app.functions.filter((f) => f.kind === 'http');
  const override = (name: string): number | undefined => options.messages?.byName[name] ?? options.messages?.all;
  const invocations = new Map<string, number>();
  const messages = new Map<string, number>();
  const visiting = new Set<string>();
  let cycle = false;

  const channelMessages = (name: string): number => {
    const given = override(name);
    if (given !== undefined) return given;
    if (messages.has(name)) return messages.get(name)!;
    if (visiting.has(`channel:${name}`)) {
      cycle = true;
      return 0;
    }
    visiting.add(`channel:${name}`);
    let total = 0;
    for (const f of app.functions) if (f.sends.includes(name)) total += functionInvocations(f);
    visiting.delete(`channel:${name}`);
    messages.set(name, total);
    return total;
  };

  const functionInvocations = (f: FunctionDefinition): number => {
    if (invocations.has(f.name)) return invocations.get(f.name)!;
    if (visiting.has(`fn:${f.name}`)) {
      cycle = true;
      return 0;
    }
    visiting.add(`fn:${f.name}`);
    let n: number;
    switch (f.kind) {
      case 'http':
        n = options.requestsPerMonth / http.length;
        break;
      case 'queue':
      case 'topic':
        n = channelMessages(f.source.name);
        break;
      case 'schedule':
        n = runsPerMonth(f);
        break;
      case 'event':
        n = override(f.name) ?? 0;
        break;
    }
    visiting.delete(`fn:${f.name}`);
    invocations.set(f.name, n);
    return n;
  };

  const functions: FunctionUse[] = app.functions.map((f) => ({
    name: f.name,
    kind: f.kind,
    invocations: functionInvocations(f),
    durationMs: options.measuredMs?.[f.name] ?? options.durationMs,
    memoryMb: options.memoryMb ?? f.memoryMb,
  }));
  const channels: ChannelUse[] = [...app.queues, ...app.topics].map((q) => ({
    name: q.name,
    kind: q.kind,
    messages: channelMessages(q.name),
    subscribers: app.functions.filter((f) => (f.kind === 'queue' || f.kind === 'topic') && f.source.name === q.name).length,
  }));
  const schedules = app.functions
    .filter((f): f is ScheduleFunctionDefinition => f.kind === 'schedule')
    .map((f) => ({ name: f.name, runsPerMonth: runsPerMonth(f) }));

  if (http.length > 1) notes.push(`HTTP requests are shared evenly by the ${http.length} HTTP functions (${http.map((f) => f.name).join(', ')}).`);
  if (channels.length > 0 && options.messages?.all === undefined) {
    notes.push('Each invocation of a function sends one message to each queue or topic in its `sends`; pass --messages-per-month <name>=<n> to set a count.');
  }
  for (const f of app.functions) {
    if (f.kind === 'event' && override(f.name) === undefined)
      notes.push(`Event function "${f.name}" counted at 0 events; pass --messages-per-month ${f.name}=<n>.`);
  }
  if (cycle) notes.push('The app sends messages in a loop; each message in the loop is counted once.');
  notes.push('Retries are not counted: every message is assumed to succeed on its first delivery.');
  return { requestsPerMonth: options.requestsPerMonth, functions, channels, schedules, messageBytes: options.messageBytes ?? 1024, notes };
}

// A fixed month keeps the count the same on every run (a 730-hour month from 1 January 2026, UTC).
const MONTH_START = Date.UTC(2026, 0, 1);
const MAX_COUNTED_RUNS = 100_000;

// The break-even search derives the workload hundreds of times; a cron is counted once.
const countedRuns = new Map<string, number>();

/** How often a schedule runs in a 730-hour month. */
export function runsPerMonth(def: Pick<ScheduleFunctionDefinition, 'cron' | 'timezone' | 'everyMs'>): number {
  if (def.cron === undefined) return Math.floor((SECONDS_PER_MONTH * 1000) / def.everyMs!);
  const key = `${def.cron}|${def.timezone ?? ''}`;
  let runs = countedRuns.get(key);
  if (runs === undefined) countedRuns.set(key, (runs = countCronRuns(def.cron, def.timezone)));
  return runs;
}

function countCronRuns(expression: string, timezone: string | undefined): number {
  const end = MONTH_START + SECONDS_PER_MONTH * 1000;
  const cron = new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) });
  let runs = 0;
  let at: Date | null = new Date(MONTH_START - 1);
  while ((at = cron.nextRun(at)) && at.getTime() < end) {
    runs++;
    // Every-second crons: count a stretch and scale, so the loop stays bounded.
    if (runs === MAX_COUNTED_RUNS) return Math.round((runs * (end - MONTH_START)) / (at.getTime() - MONTH_START + 1));
  }
  return runs;
}

import assert from 'node:assert/strict';
import { createApp, findUnsupported, type Capabilities } from '../src/index.js';
import { contextCases } from './cases/context.js';
import { errorsCases } from './cases/errors.js';
import { eventCases } from './cases/event.js';
import { httpCases } from './cases/http.js';
import { queueCases } from './cases/queue.js';
import { scheduleCases } from './cases/schedule.js';
import { topicCases } from './cases/topic.js';
import type { ConformanceCase, Group, Requirement, TriggerCapability } from './cases/types.js';

export type { CaseEnv, ConformanceCase, Group, Requirement, TriggerCapability } from './cases/types.js';
export { observed } from './cases/support.js';
export { contextCases, errorsCases, eventCases, httpCases, queueCases, scheduleCases, topicCases };

/**
 * The trigger kinds each group drives. Queue and topic cases send through an HTTP function
 * (the producer runs inside a function, as in an app), so they need http too.
 */
export const GROUP_TRIGGERS: Readonly<Record<Group, readonly TriggerCapability[]>> = {
  http: ['http'],
  queue: ['http', 'queues'],
  topic: ['http', 'topics'],
  schedule: ['schedules'],
  event: ['events'],
  context: ['http'],
  errors: ['http'],
};

const DEFINE_TRIGGER: Readonly<Record<TriggerCapability, (app: ReturnType<typeof createApp>) => void>> = {
  http: (app) => app.http('needsHttp', { route: '/needs-http' }, () => new Response('')),
  queues: (app) => app.queue('needsQueues').consume('needsQueuesConsumer', async () => {}),
  topics: (app) => app.topic('needsTopics').subscribe('needsTopicsSubscriber', async () => {}),
  schedules: (app) => app.schedule('needsSchedules', { cron: '0 * * * *' }, async () => {}),
  events: (app) => app.event('needsEvents', {}, async () => {}),
};

/**
 * What a case needs that the adapter does not declare: a trigger kind its group drives, or
 * a capability of its own (FIFO, delays). Undefined when the adapter can run it.
 */
export function requirement(c: ConformanceCase, caps: Capabilities): Requirement | undefined {
  for (const trigger of [...GROUP_TRIGGERS[c.group], ...(c.alsoUses ?? [])]) {
    if (!caps[trigger]) {
      const via =
        GROUP_TRIGGERS[c.group].includes(trigger) && trigger !== GROUP_TRIGGERS[c.group].at(-1)
          ? ` (the ${c.group} cases are driven through an HTTP function)`
          : '';
      return { reason: `the adapter declares no ${trigger} capability${via}`, define: DEFINE_TRIGGER[trigger] };
    }
  }
  return c.requires?.(caps);
}

/** Why a case cannot run on this harness for lack of a platform service (no refusal to prove), or undefined. */
export function harnessGap(c: ConformanceCase, harness: { readonly storageNotifications?: boolean; readonly nativeMessages?: boolean }): string | undefined {
  if (c.needsStorageNotifications && !harness.storageNotifications) return 'the platform has no storage service whose notifications could be delivered';
  if (c.needsNativeMessages && !harness.nativeMessages) return 'the platform has no producers of its own: every message on it is sent by faasport';
  return undefined;
}

/**
 * Each group's cases, in the order the suite runs them, each also exported alone (as
 * abstract-level and @keyv/test-suite export theirs) so a group can be read or driven by
 * itself; `runConformance` runs them all.
 */
export const caseGroups: Readonly<Record<Group, readonly ConformanceCase[]>> = {
  http: httpCases,
  queue: queueCases,
  topic: topicCases,
  schedule: scheduleCases,
  event: eventCases,
  context: contextCases,
  errors: errorsCases,
};

/** Every case, group after group: the whole suite. Case ids (`<group> > <name>`) are API: expected failures name them. */
export const cases: ConformanceCase[] = Object.values(caseGroups).flat();

/** Proves an unsupported capability is refused with CAPABILITY_UNSUPPORTED, not ignored. */
export function assertRefused(adapter: { name: string; capabilities: Capabilities }, define: (app: ReturnType<typeof createApp>) => void): void {
  const app = createApp('needs-capability');
  define(app);
  const problems = findUnsupported(app, adapter);
  assert.ok(problems.length > 0, `${adapter.name} claims to lack the capability but accepts a definition that needs it`);
  assert.ok(problems.every((p) => p.code === 'CAPABILITY_UNSUPPORTED'));
}

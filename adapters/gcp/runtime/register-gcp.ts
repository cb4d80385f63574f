import type { App, Transport } from 'faasport';
import { assertGcpSupported } from './check-app.js';
import { loadFramework } from './framework.js';
import { createHandlerDeps, type RegisterGcpOptions } from './handler-deps.js';
import { registerEvent } from './register-event.js';
import { registerHttp } from './register-http.js';
import { registerPubsub } from './register-pubsub.js';
import { registerSchedule } from './register-schedule.js';

export { PUBSUB_PUBLISHED_TYPE } from './register-schedule.js';
export type { RegisterGcpOptions } from './handler-deps.js';

/** What `registerGcp` set up. */
export interface GcpRegistration {
  /** Every function name registered with the framework (its `--target`). */
  readonly functions: readonly string[];
  readonly transport: Transport | undefined;
}

/**
 * Registers every function of `app` with the Google Cloud Functions Framework: HTTP
 * functions with `http()`, everything else (Pub/Sub queues and topics, Cloud Scheduler
 * ticks, Cloud Storage and any other CloudEvent) with `cloudEvent()`. Each keeps its own
 * name, so `functions-framework --target <name>` serves it. Refuses what GCP cannot run
 * with one CAPABILITY_UNSUPPORTED error.
 *
 * A failing queue message makes the function answer 500, which Pub/Sub treats as a nack and
 * redelivers under the subscription's retry policy. On the last attempt (the delivery count
 * reaches `maxAttempts`) faasport forwards the message to the dead-letter topic itself, with
 * the handler's error, and acknowledges it: that is how `maxAttempts` 1-4 holds although
 * Pub/Sub's own policy counts at least 5 (the subscription gets `max(5, maxAttempts)`).
 * Should the forward fail, the message is nacked and Pub/Sub's policy forwards it later.
 *
 * @example
 * ```ts
 * // index.ts, the entry point `faasport build --target gcp` bundles
 * import { registerGcp } from 'faasport/gcp';
 * import { app } from './app.js';
 *
 * registerGcp(app);
 * ```
 */
export function registerGcp(app: App, options: RegisterGcpOptions = {}): GcpRegistration {
  assertGcpSupported(app);
  const framework = options.framework ?? loadFramework();
  const deps = createHandlerDeps(app, options);
  const registered: string[] = [];
  for (const def of app.functions) {
    switch (def.kind) {
      case 'http':
        registerHttp(framework, def, deps);
        break;
      case 'queue':
      case 'topic':
        registerPubsub(framework, def, deps);
        break;
      case 'schedule':
        registerSchedule(framework, def, deps);
        break;
      case 'event':
        registerEvent(framework, def, deps);
        break;
    }
    registered.push(def.name);
  }
  return { functions: registered, transport: deps.transport };
}

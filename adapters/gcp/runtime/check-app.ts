import { FaasportError, assertSupported, type App } from 'faasport';
import { GCF_MAX_EVENT_TIMEOUT_MS, PUBSUB_MIN_DELIVERY_ATTEMPTS, adapter } from './adapter.js';

/** Cron syntax beyond unix-cron (month and day names aside, which Cloud Scheduler takes). */
const UNIX_CRON_UNSUPPORTED = /[LW#?]/i;

/** Cloud Functions and the Functions Framework: a letter first, a letter or digit last. */
const FUNCTION_NAME = /^[A-Za-z](?:[-_A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

/**
 * Everything `app` needs that Google Cloud Functions cannot do, refused at once with one
 * CAPABILITY_UNSUPPORTED error: the adapter's declared capabilities, plus the limits the
 * capability table cannot express (event-driven timeouts, event functions below Pub/Sub's 5
 * attempts, names Google rejects). Queues and topics below 5 attempts are accepted: the
 * adapter dead-letters them itself (see `registerGcp`).
 */
export function assertGcpSupported(app: App): void {
  const problems: string[] = [];
  try {
    assertSupported(app, adapter);
  } catch (err) {
    const message = (err as Error).message;
    problems.push(...(message.includes('\n- ') ? message.split('\n- ').slice(1) : [message]));
  }
  if (app.name.toLowerCase().startsWith('goog')) {
    problems.push(`app "${app.name}": Pub/Sub names may not start with "goog" and every gcp resource is prefixed with the app name; rename the app`);
  }
  for (const fn of app.functions) {
    if (!FUNCTION_NAME.test(fn.name)) {
      problems.push(`function "${fn.name}": Cloud Functions names end with a letter or digit; rename it`);
    }
    if (fn.kind === 'schedule' && fn.cron !== undefined && UNIX_CRON_UNSUPPORTED.test(fn.cron.replace(/\b[A-Za-z]{3}\b/g, '0'))) {
      problems.push(
        `schedule "${fn.name}": cron "${fn.cron}" uses L, W, # or ? (last / weekday / nth / no value), which Cloud Scheduler's unix-cron does not support; list the days instead`,
      );
    }
    if (fn.kind === 'event' && fn.maxAttempts < PUBSUB_MIN_DELIVERY_ATTEMPTS) {
      problems.push(
        `function "${fn.name}": maxAttempts ${fn.maxAttempts} is not supported on gcp; Eventarc retries an event through a Pub/Sub subscription that dead-letters after ${PUBSUB_MIN_DELIVERY_ATTEMPTS} to 100 deliveries and tells the function no delivery count, so nothing can stop it earlier; use a value from ${PUBSUB_MIN_DELIVERY_ATTEMPTS} to 100`,
      );
    }
    if (fn.kind !== 'http' && fn.timeoutMs > GCF_MAX_EVENT_TIMEOUT_MS) {
      problems.push(
        `function "${fn.name}": timeoutMs ${fn.timeoutMs} is not supported on gcp; event-driven functions run at most ${GCF_MAX_EVENT_TIMEOUT_MS} ms (9 minutes)`,
      );
    }
  }
  if (problems.length === 0) return;
  throw new FaasportError('CAPABILITY_UNSUPPORTED', problems.length === 1 ? problems[0]! : `app "${app.name}" cannot run on gcp:\n- ${problems.join('\n- ')}`, {
    details: { adapter: 'gcp', problems },
  });
}

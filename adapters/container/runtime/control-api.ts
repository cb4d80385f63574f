import { timingSafeEqual } from 'node:crypto';
import { FaasportError, isFaasportError, summariseError, toCloudEvent, type Outcome } from '../../../src/index.js';

/** Paths the container serves before the app's routes: an app route can never shadow them. */
export const CONTROL_PREFIX = '/_faasport/';
export const HEALTH_PATH = '/_faasport/healthz';
export const READY_PATH = '/_faasport/readyz';
/** Header that may carry FAASPORT_CONTROL_TOKEN instead of `Authorization: Bearer`. */
export const CONTROL_TOKEN_HEADER = 'x-faasport-control-token';

export interface ControlApiOptions {
  /** Why the server is not ready, or [] when it is. */
  readonly notReady: () => string[];
  /** Bearer token for the schedule and event endpoints; without one they are refused (403). */
  readonly token: string | undefined;
  /** `scheduledTime`: the slot the caller fires for, when it says (an earlier one makes the tick past due). */
  readonly runSchedule: (name: string, scheduledTime?: Date) => Promise<Outcome>;
  /** Runs every event function the CloudEvent matches; the names that failed. */
  readonly deliverEvent: (event: ReturnType<typeof toCloudEvent>) => Promise<string[]>;
}

/**
 * The container's own endpoints: `GET /_faasport/healthz` (live: the process answers),
 * `GET /_faasport/readyz` (ready: every queue consumer is connected and the server is not
 * stopping), and, for a platform scheduler or event router, `POST /_faasport/schedules/<name>`
 * and `POST /_faasport/events` (a structured CloudEvent), which need
 * `Authorization: Bearer $FAASPORT_CONTROL_TOKEN` (or the token in `X-Faasport-Control-Token`). A failure there answers 500 so the
 * platform retries. Anything else under `/_faasport/` is 404.
 */
export function createControlApi(options: ControlApiOptions): (request: Request) => Promise<Response | undefined> {
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(CONTROL_PREFIX)) return undefined;
    if (path === HEALTH_PATH && (request.method === 'GET' || request.method === 'HEAD')) return Response.json({ status: 'live' });
    if (path === READY_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
      const reasons = options.notReady();
      return reasons.length === 0 ? Response.json({ status: 'ready' }) : Response.json({ status: 'not ready', reasons }, { status: 503 });
    }
    const schedule = /^\/_faasport\/schedules\/([^/]+)$/.exec(path);
    if ((schedule || path === '/_faasport/events') && request.method === 'POST') {
      const refused = authorise(request, options.token);
      if (refused) return refused;
      try {
        if (schedule) {
          const outcome = await options.runSchedule(decodeURIComponent(schedule[1]!), await scheduledTimeOf(request));
          return outcome.ok ? Response.json({ ran: true }) : Response.json({ error: summariseError(outcome.error).message, code: 'HANDLER_FAILED' }, { status: 500 });
        }
        const event = toCloudEvent(await request.json().catch(() => undefined), 'POST /_faasport/events');
        const failed = await options.deliverEvent(event);
        return failed.length === 0 ? Response.json({ delivered: true }) : Response.json({ error: `event functions failed: ${failed.join(', ')}`, code: 'HANDLER_FAILED' }, { status: 500 });
      } catch (err) {
        const status = isFaasportError(err) && err.status ? err.status : 500;
        return Response.json({ error: summariseError(err).message, ...(isFaasportError(err) ? { code: err.code } : {}) }, { status });
      }
    }
    return Response.json({ error: `no container endpoint ${request.method} ${path.slice(0, 200)}`, code: 'NOT_FOUND' }, { status: 404 });
  };
}

/** `{"scheduledTime": "<ISO date>"}` in the body, if any; a body without one (or none) means now. */
async function scheduledTimeOf(request: Request): Promise<Date | undefined> {
  const body = (await request.json().catch(() => undefined)) as { scheduledTime?: unknown } | undefined;
  if (body?.scheduledTime === undefined) return undefined;
  const at = typeof body.scheduledTime === 'string' ? new Date(body.scheduledTime) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new FaasportError('EVENT_INVALID', 'POST /_faasport/schedules/<name>: scheduledTime must be an ISO 8601 date string', { status: 400 });
  return at;
}

function authorise(request: Request, token: string | undefined): Response | undefined {
  if (!token) {
    const err = new FaasportError('CONFIG_INVALID', 'container control endpoint: FAASPORT_CONTROL_TOKEN is not set, so schedules and events cannot be triggered over HTTP; set it, or run schedules in-process with FAASPORT_SCHEDULES=run');
    return Response.json({ error: err.message, code: err.code }, { status: 403 });
  }
  // A platform scheduler that signs its own Authorization header (Cloud Scheduler's OIDC) sends the token beside it.
  const given = Buffer.from(request.headers.get(CONTROL_TOKEN_HEADER) ?? /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return Response.json({ error: 'container control endpoint: missing or wrong bearer token', code: 'UNAUTHORIZED' }, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
  }
  return undefined;
}

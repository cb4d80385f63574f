import { errorResponse, FaasportError, isFaasportError, publicErrorMessage, summariseError, toCloudEvent, type CloudEvent, type Outcome } from 'faasport';
import { carriesToken } from 'faasport/local';

/** Paths the container serves before the app's routes: an app route can never shadow them. */
export const CONTROL_PREFIX = '/_faasport/';
export const HEALTH_PATH = '/_faasport/healthz';
export const READY_PATH = '/_faasport/readyz';
export const EVENTS_PATH = '/_faasport/events';
/** Header that may carry FAASPORT_CONTROL_TOKEN instead of `Authorization: Bearer`. */
export const CONTROL_TOKEN_HEADER = 'x-faasport-control-token';

/** The path a platform scheduler calls to run schedule `name`: the dev API's shape. */
export function schedulePath(name: string): string {
  return `/_faasport/schedules/${encodeURIComponent(name)}/run`;
}

export interface ControlApiOptions {
  /** Why the server is not ready, or [] when it is. */
  readonly notReady: () => string[];
  /** Bearer token for the schedule and event endpoints; without one they are refused (403). */
  readonly token: string | undefined;
  /**
   * The platform has authenticated every caller before the request arrives (a private Cloud
   * Run service: only identities granted `run.invoker` reach it), so no token is asked for.
   * FAASPORT_CONTROL_AUTH=platform-iam; never on a service anyone may call.
   */
  readonly platformAuthenticated?: boolean;
  /** Production answers: no internal messages, no stacks (the app's routes follow the same rule). */
  readonly production: boolean;
  /** `scheduledTime`: the slot the caller fires for, when it says (an earlier one makes the tick past due). */
  readonly runSchedule: (name: string, scheduledTime?: Date) => Promise<Outcome>;
  /** Runs every event function the CloudEvent matches; the names that failed. */
  readonly deliverEvent: (event: CloudEvent) => Promise<string[]>;
}

/**
 * The container's own endpoints: `GET /_faasport/healthz` (live: the process answers),
 * `GET /_faasport/readyz` (ready: every queue consumer is connected and the server is not
 * stopping), and, for a platform scheduler or event router, `POST /_faasport/schedules/<name>/run`
 * (the dev API's path and answer) and `POST /_faasport/events` (a structured- or binary-mode
 * CloudEvent), which need `Authorization: Bearer $FAASPORT_CONTROL_TOKEN` or the token in
 * `X-Faasport-Control-Token` (compared in constant time, as the dev server's token). A failure
 * there answers 500 so the platform retries; with `production` the answer names no internal
 * error. Anything else under `/_faasport/` is 404.
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
    const schedule = /^\/_faasport\/schedules\/([^/]+)\/run$/.exec(path);
    if ((schedule || path === EVENTS_PATH) && request.method === 'POST') {
      const refused = options.platformAuthenticated ? undefined : authorise(request, options.token);
      if (refused) return refused;
      try {
        if (schedule) {
          const outcome = await options.runSchedule(decodeURIComponent(schedule[1]!), await scheduledTimeOf(request));
          return outcome.ok
            ? Response.json({ ok: true })
            : Response.json({ ok: false, error: publicErrorMessage(outcome.error, options.production) }, { status: 500 });
        }
        const failed = await options.deliverEvent(await cloudEventOf(request));
        if (failed.length === 0) return Response.json({ ok: true });
        return Response.json(
          { ok: false, error: options.production ? 'event functions failed' : `event functions failed: ${failed.join(', ')}` },
          { status: 500 },
        );
      } catch (err) {
        if (isFaasportError(err) && err.status && err.status < 500)
          return Response.json({ error: summariseError(err).message, code: err.code }, { status: err.status });
        return errorResponse(err, undefined, options.production);
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
  if (!at || Number.isNaN(at.getTime()))
    throw new FaasportError('EVENT_INVALID', 'POST /_faasport/schedules/<name>/run: scheduledTime must be an ISO 8601 date string', { status: 400 });
  return at;
}

/**
 * The CloudEvent a request carries: binary mode (attributes in `ce-*` headers, the body as
 * `data`; what Eventarc sends) or structured mode (the whole event as JSON).
 */
async function cloudEventOf(request: Request): Promise<CloudEvent> {
  const operation = `POST ${EVENTS_PATH}`;
  if (!request.headers.has('ce-specversion')) return toCloudEvent(await request.json().catch(() => undefined), operation);
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of request.headers) if (name.startsWith('ce-')) attributes[name.slice(3)] = value;
  const type = request.headers.get('content-type') ?? undefined;
  const text = await request.text();
  const json = type === undefined || /^application\/([\w.+-]+\+)?json\b/i.test(type);
  let data: unknown = text === '' ? undefined : text;
  if (json && text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      throw new FaasportError(
        'EVENT_INVALID',
        `${operation}: the body of a binary-mode CloudEvent with content type ${type ?? '(none)'} is not JSON; send valid JSON or set the right datacontenttype`,
        { status: 400 },
      );
    }
  }
  return toCloudEvent({ ...attributes, ...(type ? { datacontenttype: type } : {}), ...(data !== undefined ? { data } : {}) }, operation);
}

function authorise(request: Request, token: string | undefined): Response | undefined {
  if (!token) {
    const err = new FaasportError(
      'CONFIG_INVALID',
      'container control endpoint: FAASPORT_CONTROL_TOKEN is not set, so schedules and events cannot be triggered over HTTP; set it, or run schedules in-process with FAASPORT_SCHEDULES=run',
    );
    return Response.json({ error: err.message, code: err.code }, { status: 403 });
  }
  // A platform that signs its own Authorization header (Cloud Scheduler's OIDC token) sends the token beside it.
  if (!carriesToken(request, token, CONTROL_TOKEN_HEADER)) {
    return Response.json(
      { error: 'container control endpoint: missing or wrong bearer token', code: 'UNAUTHORIZED' },
      { status: 401, headers: { 'www-authenticate': 'Bearer' } },
    );
  }
  return undefined;
}

import {
  checkTransportLimits,
  encodeMessage,
  isFaasportError,
  publicErrorMessage,
  summariseError,
  toCloudEvent,
  FaasportError,
  type Transport,
} from 'faasport';
import { safeDecode } from 'faasport/adapter-kit';
import type { LocalRuntime, Mount } from './runtime.js';

const PREFIX = '/_faasport/';

/** Every route of the dev API, as `faasport dev` lists them in its banner. */
export const DEV_API_ROUTES: readonly string[] = [
  'GET  /_faasport/functions',
  'GET  /_faasport/queues',
  'GET  /_faasport/queues/<queue>/dead-letter[?function=<subscriber>]',
  'POST /_faasport/queues/<queue>/dead-letter/redrive[?function=<subscriber>]  (optional JSON { "ids": […] })',
  'DELETE /_faasport/queues/<queue>/dead-letter[?function=<subscriber>]',
  'GET  /_faasport/queues/<queue>/messages[?function=<subscriber>]',
  'POST /_faasport/queues/<queue>/messages        (JSON body: the message; ?groupId=, ?delaySeconds=)',
  'DELETE /_faasport/queues/<queue>/messages[?function=<subscriber>]  (purge)',
  'POST /_faasport/topics/<topic>/messages        (JSON body: the message)',
  'GET  /_faasport/schedules',
  'POST /_faasport/schedules/<schedule>/run       (optional JSON { "scheduledTime": "…" })',
  'POST /_faasport/events                         (a structured-mode CloudEvent)',
];

/**
 * The dev API served beside the app's routes:
 * - `GET  /_faasport/functions`
 * - `GET  /_faasport/queues` (depth, delayed, in-flight, dead-lettered per queue / subscription)
 * - `GET  /_faasport/queues/:name/dead-letter[?function=subscriber]`
 * - `POST /_faasport/queues/:name/dead-letter/redrive[?function=subscriber]` (optional JSON
 *   `{ "ids": [...] }`: only those messages): dead letters back on their queue, attempts from zero
 * - `DELETE /_faasport/queues/:name/dead-letter[?function=subscriber]` (drops the dead letters)
 * - `GET  /_faasport/queues/:name/messages[?function=subscriber]` (waiting and in-flight messages, with attempts and last error)
 * - `POST /_faasport/queues/:name/messages` (JSON body = the message body)
 * - `DELETE /_faasport/queues/:name/messages[?function=subscriber]` (purge: drops the waiting messages)
 * - `POST /_faasport/topics/:name/messages`
 * - `GET  /_faasport/schedules` (each schedule's next run)
 * - `POST /_faasport/schedules/:name/run` (optional JSON `{ "scheduledTime": "…" }`)
 * - `POST /_faasport/events` (a structured-mode CloudEvent)
 *
 * With `production`, a failed schedule run answers as the app's routes do: no message unless
 * the error is a FaasportError, never a stack.
 */
export function createDevApi(runtime: LocalRuntime, transport: Transport, options: { production: boolean }): Mount {
  return async (request) => {
    // Read per request: `faasport dev` swaps the app when it reloads.
    const { app } = runtime;
    const url = new URL(request.url);
    if (!url.pathname.startsWith(PREFIX)) return undefined;
    const parts = url.pathname.slice(PREFIX.length).split('/').map(safeDecode);
    const method = request.method;
    try {
      if (method === 'GET' && parts.length === 1 && parts[0] === 'functions') {
        return Response.json(app.functions.map(describeFunction));
      }
      if (method === 'GET' && parts.length === 1 && parts[0] === 'queues') {
        return Response.json(runtime.stats());
      }
      const subscriber = url.searchParams.get('function') ?? undefined;
      if (method === 'GET' && parts.length === 3 && parts[0] === 'queues' && parts[2] === 'dead-letter') {
        return Response.json(runtime.deadLetters(parts[1]!, subscriber));
      }
      if (method === 'DELETE' && parts.length === 3 && parts[0] === 'queues' && parts[2] === 'dead-letter') {
        return Response.json(runtime.purgeDeadLetters(parts[1]!, subscriber));
      }
      if (method === 'POST' && parts.length === 4 && parts[0] === 'queues' && parts[2] === 'dead-letter' && parts[3] === 'redrive') {
        const text = await request.text();
        const ids = text.trim() ? (parseJson(text, `POST ${url.pathname}`) as { ids?: unknown }).ids : undefined;
        if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
          throw badRequest(`POST ${url.pathname}: "ids" must be an array of message ids (strings); omit it to redrive every dead letter`);
        }
        return Response.json(runtime.redrive(parts[1]!, subscriber, ids as string[] | undefined));
      }
      if (method === 'GET' && parts.length === 3 && parts[0] === 'queues' && parts[2] === 'messages') {
        return Response.json(runtime.messages(parts[1]!, subscriber));
      }
      if (method === 'DELETE' && parts.length === 3 && parts[0] === 'queues' && parts[2] === 'messages') {
        return Response.json(runtime.purge(parts[1]!, subscriber));
      }
      if (method === 'GET' && parts.length === 1 && parts[0] === 'schedules') {
        const next = new Map(runtime.upcoming().map((u) => [u.name, u.next?.toISOString() ?? null]));
        return Response.json(app.functions.filter((f) => f.kind === 'schedule').map((f) => ({ ...describeFunction(f), next: next.get(f.name) ?? null })));
      }
      if (method === 'POST' && parts.length === 3 && parts[0] === 'queues' && parts[2] === 'messages') {
        const queue = app.getQueue(parts[1]!);
        if (!queue)
          throw notFound(
            'queue',
            parts[1]!,
            app.queues.map((q) => q.name),
          );
        const body = await readJson(request, `POST ${url.pathname}`);
        const groupId = url.searchParams.get('groupId') ?? undefined;
        const delay = url.searchParams.get('delaySeconds');
        const message = encodeMessage(`queue "${queue.name}": dev API send`, queue, body, {
          ...(groupId !== undefined ? { groupId } : {}),
          ...(delay !== null ? { delaySeconds: Number(delay) } : {}),
        });
        checkTransportLimits(`queue "${queue.name}": dev API send`, transport, message);
        const [result] = await transport.send(queue, [message]);
        return Response.json(result, { status: 202 });
      }
      if (method === 'POST' && parts.length === 3 && parts[0] === 'topics' && parts[2] === 'messages') {
        const topic = app.getTopic(parts[1]!);
        if (!topic)
          throw notFound(
            'topic',
            parts[1]!,
            app.topics.map((t) => t.name),
          );
        const body = await readJson(request, `POST ${url.pathname}`);
        const message = encodeMessage(`topic "${topic.name}": dev API publish`, topic, body);
        checkTransportLimits(`topic "${topic.name}": dev API publish`, transport, message);
        const [result] = await transport.publish(topic, [message]);
        return Response.json(result, { status: 202 });
      }
      if (method === 'POST' && parts.length === 3 && parts[0] === 'schedules' && parts[2] === 'run') {
        const text = await request.text();
        let scheduledTime: Date | undefined;
        if (text.trim()) {
          const parsed = parseJson(text, `POST ${url.pathname}`) as { scheduledTime?: unknown };
          if (parsed.scheduledTime !== undefined) {
            scheduledTime = new Date(String(parsed.scheduledTime));
            if (Number.isNaN(scheduledTime.getTime())) throw badRequest(`POST ${url.pathname}: scheduledTime is not a date`);
          }
        }
        const outcome = await runtime.runSchedule(parts[1]!, scheduledTime);
        return outcome.ok
          ? Response.json({ ok: true })
          : Response.json({ ok: false, error: publicErrorMessage(outcome.error, options.production) }, { status: 500 });
      }
      if (method === 'POST' && parts.length === 1 && parts[0] === 'events') {
        const event = toCloudEvent(await readJson(request, 'POST /_faasport/events'), 'POST /_faasport/events');
        const delivered = runtime.emit(event);
        return Response.json({ delivered }, { status: 202 });
      }
      return Response.json({ error: `no dev API route ${method} ${url.pathname}`, code: 'NOT_FOUND' }, { status: 404 });
    } catch (err) {
      if (isFaasportError(err)) return Response.json({ error: summariseError(err).message, code: err.code }, { status: err.status ?? 400 });
      throw err;
    }
  };
}

function describeFunction(f: LocalRuntime['app']['functions'][number]): Record<string, unknown> {
  switch (f.kind) {
    case 'http':
      return { name: f.name, kind: f.kind, methods: f.methods, route: f.route.route, public: f.public };
    case 'queue':
      return { name: f.name, kind: f.kind, queue: f.source.name, maxAttempts: f.source.maxAttempts, deadLetter: f.source.deadLetter };
    case 'topic':
      return { name: f.name, kind: f.kind, topic: f.source.name, maxAttempts: f.source.maxAttempts, deadLetter: f.source.deadLetter };
    case 'schedule':
      return { name: f.name, kind: f.kind, ...(f.cron ? { cron: f.cron } : { everyMs: f.everyMs }) };
    case 'event':
      return { name: f.name, kind: f.kind, type: f.type ?? null, source: f.source ?? null };
  }
}

async function readJson(request: Request, operation: string): Promise<unknown> {
  return parseJson(await request.text(), operation);
}

function parseJson(text: string, operation: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest(`${operation}: body is not valid JSON`);
  }
}

function badRequest(message: string): FaasportError {
  return new FaasportError('MESSAGE_INVALID', message, { status: 400 });
}

function notFound(kind: string, name: string, known: string[]): FaasportError {
  return new FaasportError('NOT_FOUND', `${kind} "${name}" is not defined; defined: ${known.join(', ') || 'none'}`, { status: 404 });
}

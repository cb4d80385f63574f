import type { App, LogRecord } from 'faasport';
import type { ConformanceHarness } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { createLocalRuntime } from '../runtime/runtime.js';
import { serve } from '../runtime/node-http.js';

/**
 * Drives the local adapter the way a user does: real HTTP against the dev server, the dev
 * API for events and schedules.
 */
export function localHarness(): ConformanceHarness {
  return {
    adapter,
    async start(app: App, { production }) {
      const logs: LogRecord[] = [];
      const runtime = createLocalRuntime(app, { production, logSink: (r) => logs.push(r), logLevel: 'debug' });
      const server = await serve((r) => runtime.fetch(r), { maxBodyBytes: runtime.maxBodyBytes });
      const post = async (path: string, body: unknown): Promise<void> => {
        const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      };
      return {
        fetch: (request) => {
          const url = new URL(request.url);
          return fetch(new Request(server.url + url.pathname + url.search, request));
        },
        emit: (event) => post('/_faasport/events', event),
        tick: (name, scheduledTime) => post(`/_faasport/schedules/${encodeURIComponent(name)}/run`, scheduledTime ? { scheduledTime } : {}),
        settle: (timeoutMs) => runtime.whenIdle(timeoutMs),
        async deadLetters(queue, functionName) {
          const qs = functionName ? `?function=${encodeURIComponent(functionName)}` : '';
          const res = await fetch(`${server.url}/_faasport/queues/${encodeURIComponent(queue)}/dead-letter${qs}`);
          return res.json();
        },
        logs: () => logs,
        async stop() {
          runtime.stop();
          await server.close();
        },
      };
    },
  };
}

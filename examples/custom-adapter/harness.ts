import type { App, CloudEvent, LogRecord } from 'faasport';
import type { ConformanceDriver, ConformanceHarness } from 'faasport/conformance';
import { adapter } from './adapter.js';
import { encodeBinaryMode } from './encode-http-binding.js';
import { encodePingEvent } from './encode-ping-event.js';
import { startKnativeService } from './server.js';
import { INGRESS_PATH } from './vocabulary.js';

/**
 * Drives the Knative adapter over real HTTP, as the platform would: clients `fetch` the
 * service, sources POST binary-mode CloudEvents to the broker ingress, a PingSource posts its
 * ping there, and `settle` waits for the broker to have nothing waiting, in flight or due
 * for retry.
 *
 * @example
 * ```ts
 * import { describe, test } from 'vitest';
 * import { runConformance } from 'faasport/conformance';
 * import { conformanceHarness } from './harness.js';
 *
 * runConformance({ test, describe, harness: conformanceHarness() });
 * ```
 */
export function conformanceHarness(): ConformanceHarness {
  return {
    adapter,
    async start(app: App, { production }): Promise<ConformanceDriver> {
      const logs: LogRecord[] = [];
      const service = await startKnativeService(app, { production, logSink: (r) => logs.push(r), logLevel: 'debug' });
      const post = async (event: CloudEvent): Promise<void> => {
        const { headers, body } = encodeBinaryMode(event);
        const res = await fetch(service.url + INGRESS_PATH, { method: 'POST', headers, body: body as BodyInit | undefined });
        if (res.status !== 202) throw new Error(`broker ingress answered ${res.status}: ${await res.text()}`);
      };
      return {
        fetch: (request) => {
          const url = new URL(request.url);
          return fetch(new Request(service.url + url.pathname + url.search, request));
        },
        emit: post,
        tick: (name, scheduledTime) => post(encodePingEvent(service.pingSourceFor(name), scheduledTime ?? new Date())),
        settle: (timeoutMs) => service.whenIdle(timeoutMs),
        deadLetters: async (queue, functionName) => service.deadLetters(queue, functionName),
        logs: () => logs,
        stop: () => service.stop(),
      };
    },
  };
}

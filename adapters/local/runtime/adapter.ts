import { defineAdapter } from 'faasport';

/** The embedded runtime: everything in one process. Limits mirror the strictest common cloud values where that keeps apps portable. */
export const adapter = defineAdapter({
  name: 'local',
  capabilities: {
    http: true,
    queues: true,
    topics: true,
    schedules: true,
    events: true,
    fifo: true,
    maxDelaySeconds: 900,
    batchSend: true,
    maxMessageBytes: 1024 * 1024,
    maxAttempts: { min: 1, max: 1000 },
    maxHttpBodyBytes: 6 * 1024 * 1024,
    maxTimeoutMs: 900_000,
  },
});

export { adapter } from './local-adapter.js';
export { createLocalRuntime } from './runtime.js';
export type { LocalRuntime, LocalRuntimeOptions, LocalNative, Mount } from './runtime.js';
export { serve } from './node-http.js';
export type { RunningServer, ServeOptions } from './node-http.js';
export { QueueEngine } from './queue-engine.js';
export type { ChannelStats } from './queue-engine.js';
export { Scheduler, nextRun, PAST_DUE_AFTER_MS } from './scheduler.js';
export { localHarness } from './harness.js';

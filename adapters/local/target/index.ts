import { defineTarget } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { expectedFailures } from '../testing/expected-failures.js';

/**
 * The local target, as `faasport conformance --adapter local` loads it (through this package
 * entry, `faasport/local/target`, the way the CLI loads a third party's module): the adapter
 * and its conformance harness. `faasport dev` runs the local runtime itself (`faasport/local`).
 */
export const target = defineTarget({
  adapter,
  conformanceHarness: async () => (await import('../testing/harness.js')).localHarness(),
  expectedFailures,
});

import { defineTarget } from 'faasport';
import { adapter } from './adapter.js';
import { expectedFailures } from './expected-failures.js';
import { conformanceHarness } from './harness.js';

/**
 * What `faasport conformance --adapter ./examples/custom-adapter` loads: the adapter and its
 * conformance harness in one object. No `build` or `deploy`: see "Limits of this example".
 */
export const target = defineTarget({ adapter, conformanceHarness, expectedFailures });

export { containerHarness } from './harness.js';
export { expectedFailures } from './expected-failures.js';

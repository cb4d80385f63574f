export { azureHarness } from './harness.js';
export { expectedFailures } from './expected-failures.js';
export { startAzurite } from './azurite.js';

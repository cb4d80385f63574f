export { awsHarness } from './harness.js';
export { expectedFailures } from './expected-failures.js';
export { startLocalSqs, TEST_CLIENT_CONFIG } from './fauxqs-server.js';
export type { Fauxqs } from './fauxqs-server.js';

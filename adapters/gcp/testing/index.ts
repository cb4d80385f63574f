export { gcpHarness } from './harness.js';
export { expectedFailures } from './expected-failures.js';
export { shutdownGrpcServer } from './pubsub-grpc-stand-in.js';

import type { ConformanceHarness } from '../harness.js';

/**
 * Every built-in adapter's conformance harness, loaded on demand: the security suites run
 * the same attacks against each of them.
 */
export const HARNESSES: readonly { readonly name: string; readonly load: () => Promise<ConformanceHarness> }[] = [
  { name: 'local', load: async () => (await import('../../adapters/local/testing/harness.js')).localHarness() },
  { name: 'aws', load: async () => (await import('../../adapters/aws/testing/harness.js')).awsHarness() },
  { name: 'azure', load: async () => (await import('../../adapters/azure/testing/harness.js')).azureHarness() },
  { name: 'gcp', load: async () => (await import('../../adapters/gcp/testing/harness.js')).gcpHarness() },
];

/**
 * Security cases a built-in adapter is known to fail, with the reason: data, not ifs. A case
 * listed here that starts passing fails the run, so the entry gets removed.
 */
export interface SecurityExpectedFailure {
  readonly adapter: string;
  /** The case name, as in the corpus. */
  readonly test: string;
  readonly reason: string;
  /** For a secret that leaks: which canary. */
  readonly place?: string;
  /** Known only in this mode (production true or false); both when left out. */
  readonly production?: boolean;
}

import { securityExpectedFailures as aws } from '../../adapters/aws/testing/expected-failures.js';
import { securityExpectedFailures as azure } from '../../adapters/azure/testing/expected-failures.js';
import { securityExpectedFailures as gcp } from '../../adapters/gcp/testing/expected-failures.js';
import { securityExpectedFailures as local } from '../../adapters/local/testing/expected-failures.js';

/** Each adapter keeps its known failures in its own expected-failures.ts, conformance and security side by side. */
export const securityExpectedFailures: readonly SecurityExpectedFailure[] = [
  ...local.map((e) => ({ adapter: 'local', ...e })),
  ...aws.map((e) => ({ adapter: 'aws', ...e })),
  ...azure.map((e) => ({ adapter: 'azure', ...e })),
  ...gcp.map((e) => ({ adapter: 'gcp', ...e })),
];

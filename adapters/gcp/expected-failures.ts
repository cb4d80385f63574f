import type { ExpectedFailure } from '../../conformance/harness.js';

/** Conformance cases the gcp adapter is known to fail, and why. */
export const expectedFailures: readonly ExpectedFailure[] = [];

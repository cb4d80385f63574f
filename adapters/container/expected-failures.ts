import type { ExpectedFailure } from '../../conformance/harness.js';

/** Conformance cases the container target is known to fail, with why. */
export const expectedFailures: readonly ExpectedFailure[] = [];

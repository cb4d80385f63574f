import type { ExpectedFailure } from '../../conformance/harness.js';

/** The local runtime passes every case. */
export const expectedFailures: readonly ExpectedFailure[] = [];

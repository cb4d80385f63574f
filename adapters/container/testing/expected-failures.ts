import type { ExpectedFailure } from 'faasport';

/** Conformance cases the container target is known to fail, with why. */
export const expectedFailures: readonly ExpectedFailure[] = [];

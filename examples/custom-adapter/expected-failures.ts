import type { ExpectedFailure } from 'faasport/conformance';

/**
 * Conformance cases this adapter is known to fail, each with its reason. Empty: the
 * capabilities it lacks (FIFO, delayed delivery) are declared, so the suite checks that they
 * are refused instead of running those cases.
 */
export const expectedFailures: readonly ExpectedFailure[] = [];

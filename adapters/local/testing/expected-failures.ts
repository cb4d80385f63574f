import type { ExpectedFailure } from 'faasport';

/** The local runtime passes every case. */
export const expectedFailures: readonly ExpectedFailure[] = [];

/** Security cases (conformance/security) the local adapter is known to fail: none. */
export const securityExpectedFailures: readonly { test: string; reason: string; place?: string; production?: boolean }[] = [];

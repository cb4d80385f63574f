import type { ExpectedFailure } from 'faasport';

/** Conformance cases the gcp adapter is known to fail, and why. */
export const expectedFailures: readonly ExpectedFailure[] = [];

const FRAMEWORK_JSON_ERROR_PAGE =
  'the Functions Framework parses application/json bodies with body-parser before the function runs and has no error handler of its own, so Express\'s default handler takes the SyntaxError, whose message quotes the start of the body: outside production the 400 page shows it with the stack; with NODE_ENV=production (Google\'s Node.js runtime sets it) the page says only "Bad Request" but the handler still prints the error to stderr, which Cloud Logging keeps. faasport runs after the parser and cannot intercept it';

/** Security cases (conformance/security) the gcp adapter is known to fail, and why. */
export const securityExpectedFailures: readonly { test: string; reason: string; place?: string; production?: boolean }[] = [
  { test: 'a short secret sent as the whole body', reason: FRAMEWORK_JSON_ERROR_PAGE, place: 'short-body' },
];

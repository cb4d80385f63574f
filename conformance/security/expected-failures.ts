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
}

const FRAMEWORK_JSON_ERROR_PAGE =
  "the Functions Framework parses application/json bodies with body-parser before the function runs and has no error handler of its own, so Express's default error page answers 400 quoting V8's SyntaxError (which holds the start of the body) and, unless NODE_ENV=production, the stack; Google's Node.js runtime sets NODE_ENV=production, these tests run with NODE_ENV=test";

export const securityExpectedFailures: readonly SecurityExpectedFailure[] = [
  { adapter: 'gcp', test: 'a short secret sent as the whole body', reason: FRAMEWORK_JSON_ERROR_PAGE, place: 'short-body' },
];

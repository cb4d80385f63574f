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

const FRAMEWORK_JSON_ERROR_PAGE =
  "the Functions Framework parses application/json bodies with body-parser before the function runs and has no error handler of its own, so Express's default handler takes the SyntaxError, whose message quotes the start of the body: outside production the 400 page shows it with the stack; with NODE_ENV=production (Google's Node.js runtime sets it) the page says only \"Bad Request\" but the handler still prints the error to stderr, which Cloud Logging keeps. faasport runs after the parser and cannot intercept it";

export const securityExpectedFailures: readonly SecurityExpectedFailure[] = [
  { adapter: 'gcp', test: 'a short secret sent as the whole body', reason: FRAMEWORK_JSON_ERROR_PAGE, place: 'short-body' },
];

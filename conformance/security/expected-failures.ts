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

const ODD_SCHEME_GCP =
  'the Functions Framework sets Express "trust proxy", so req.protocol is the client\'s X-Forwarded-Proto, and decode-express-request.ts builds the URL from it (gopher://…); Google\'s front end sets that header in production, but the adapter should accept only http or https';
const ODD_SCHEME_AWS =
  "the harness's API Gateway model passes the client's X-Forwarded-Proto through where API Gateway sets it, so the scheme flips from http to https (the adapter itself only ever yields http or https)";

const JSON_ERROR_QUOTES_INPUT =
  "V8 quotes the unparsable text in the SyntaxError of JSON.parse / req.json() (all of it up to about 20 characters, else its first 10), and errorResponse in src/invoke.ts logs summariseError(err).message on every runtime (and answers with it outside production); summariseError should redact the quoted input of a SyntaxError";

export const securityExpectedFailures: readonly SecurityExpectedFailure[] = [
  ...['local', 'aws', 'azure', 'gcp'].map((adapter) => ({ adapter, test: 'a short secret sent as the whole body', reason: JSON_ERROR_QUOTES_INPUT, place: 'short-body' })),
  { adapter: 'gcp', test: 'X-Forwarded-Proto with an odd scheme', reason: ODD_SCHEME_GCP },
  { adapter: 'gcp', test: 'everything at once', reason: ODD_SCHEME_GCP },
  { adapter: 'aws', test: 'X-Forwarded-Proto with an odd scheme', reason: ODD_SCHEME_AWS },
  { adapter: 'aws', test: 'everything at once', reason: ODD_SCHEME_AWS },
];

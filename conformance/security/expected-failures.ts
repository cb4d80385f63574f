/**
 * Security cases a built-in adapter is known to fail, with the reason: data, not ifs. A case
 * listed here that starts passing fails the run, so the entry gets removed.
 */
export interface SecurityExpectedFailure {
  readonly adapter: string;
  /** The case name, as in the corpus. */
  readonly test: string;
  readonly reason: string;
}

const ODD_SCHEME_GCP =
  'the Functions Framework sets Express "trust proxy", so req.protocol is the client\'s X-Forwarded-Proto, and decode-express-request.ts builds the URL from it (gopher://…); Google\'s front end sets that header in production, but the adapter should accept only http or https';
const ODD_SCHEME_AWS =
  "the harness's API Gateway model passes the client's X-Forwarded-Proto through where API Gateway sets it, so the scheme flips from http to https (the adapter itself only ever yields http or https)";

export const securityExpectedFailures: readonly SecurityExpectedFailure[] = [
  { adapter: 'gcp', test: 'X-Forwarded-Proto with an odd scheme', reason: ODD_SCHEME_GCP },
  { adapter: 'gcp', test: 'everything at once', reason: ODD_SCHEME_GCP },
  { adapter: 'aws', test: 'X-Forwarded-Proto with an odd scheme', reason: ODD_SCHEME_AWS },
  { adapter: 'aws', test: 'everything at once', reason: ODD_SCHEME_AWS },
];

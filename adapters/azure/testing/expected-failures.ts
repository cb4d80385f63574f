import type { ExpectedFailure } from 'faasport';

/** Where Azure itself answers before faasport runs, with the reason a user can read. */
export const expectedFailures: readonly ExpectedFailure[] = [
  {
    test: 'http > a body over the platform limit gets 413 with a typed error',
    reason:
      'the Functions host rejects request bodies over 100 MB (maxRequestLength) with its own empty 413 before the function runs, so there is no faasport JSON error',
  },
  {
    test: 'http > response Set-Cookie headers stay separate (dates with commas intact)',
    reason:
      'the cookies stay separate with every attribute, but the Functions host re-writes each one through ASP.NET Core: lower-case attributes in its own order ("session=abc123; path=/; secure; samesite=lax; httponly") and the value URI-escaped ("token=eyJhbGciOiJIUzI1NiJ9.e30%3D"), so a base64 or JWT value arrives escaped; unescape it when reading, or keep cookie values to URL-safe characters on azure',
  },
];

/** Security cases (conformance/security) the azure adapter is known to fail: none. */
export const securityExpectedFailures: readonly { test: string; reason: string; place?: string; production?: boolean }[] = [];

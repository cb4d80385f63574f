import { afterEach, describe, expect, it } from 'vitest';
import { addSecretEnvNames, createSecretScrubber, MIN_SECRET_LENGTH, redactSecrets, resetSecretRedaction } from './redact-secrets.js';

const SECRET = 'hunter2/+=Zq9xK3pL';

describe('createSecretScrubber: which variables are secrets', () => {
  it.each([
    'DB_SECRET',
    'AZURE_CLIENT_SECRET',
    'DB_PASSWORD',
    'smtp_passwd',
    'GITHUB_TOKEN',
    'AWS_SESSION_TOKEN',
    'STRIPE_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'apiKey',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'SQL_CONNECTION_STRING',
    'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
    'PG_CONNSTR',
    'AzureWebJobsStorage',
  ])('%s: its value is redacted', (name) => {
    const scrubber = createSecretScrubber({ [name]: SECRET });
    expect(scrubber?.scrub(`connect failed with ${SECRET} for ada`)).toBe('connect failed with [redacted] for ada');
  });

  it.each(['REGION', 'NODE_ENV', 'HOME', 'FUNCTION_NAME', 'PWD'])('%s: not a secret name, its value stays', (name) => {
    expect(createSecretScrubber({ [name]: SECRET })).toBeUndefined();
  });

  it('a secret-named variable does not make other variables secret', () => {
    const scrubber = createSecretScrubber({ API_TOKEN: SECRET, REGION: 'westeurope-2' });
    expect(scrubber?.scrub(`${SECRET} in westeurope-2`)).toBe('[redacted] in westeurope-2');
  });

  it(`leaves values shorter than ${MIN_SECRET_LENGTH} characters and config words alone`, () => {
    const words = ['enabled', 'Disabled', 'undefined', 'localhost', 'production', 'development'];
    expect(
      createSecretScrubber({
        USE_KEY_VAULT: 'true',
        DEBUG_TOKEN: '1',
        KEY_MODE: 'on',
        SHORT_SECRET: 'abcde',
        ...Object.fromEntries(words.map((w, i) => [`KEY_STATE_${i}`, w])),
      }),
    ).toBeUndefined();
    expect(createSecretScrubber({ SHORT_SECRET: 'abcdef' })?.scrub('x abcdef y')).toBe('x [redacted] y');
  });

  it('FAASPORT_REDACT_ENV and the names passed add variables of any name', () => {
    const env = { FAASPORT_REDACT_ENV: ' BILLING_ID , OTHER', BILLING_ID: 'acct-99812371', PLAIN: 'plain-value-1', OTHER: 'other-value-2' };
    const scrubber = createSecretScrubber(env, ['PLAIN']);
    expect(scrubber?.scrub('acct-99812371 plain-value-1 other-value-2')).toBe('[redacted] [redacted] [redacted]');
    expect(scrubber?.secrets).toBe(3);
  });

  it('finds the key parts of a connection string in a variable of any name, and the password of a URL', () => {
    const env = {
      STORAGE: `DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=${SECRET};EndpointSuffix=core.windows.net`,
      BUS: 'Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=sbKey0123456789=',
      SQL: 'Server=tcp:db;Database=shop;User ID=app;Password=p@ss-w0rd!;',
      DATABASE_URL: 'postgres://app:s3cr%40t-pw@db.internal:5432/shop',
    };
    const scrubber = createSecretScrubber(env)!;
    expect(scrubber.scrub(`key ${SECRET}; bus sbKey0123456789=; sql p@ss-w0rd!; pg s3cr@t-pw and s3cr%40t-pw`)).toBe(
      'key [redacted]; bus [redacted]; sql [redacted]; pg [redacted] and [redacted]',
    );
    // The rest of a connection string is not secret and stays readable.
    expect(scrubber.scrub(env.STORAGE)).toBe('DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=[redacted];EndpointSuffix=core.windows.net');
  });

  it.each(['AccountKey', 'SharedAccessKey', 'SharedAccessSignature', 'Password', 'Pwd', 'ClientSecret', 'AccessKey', 'accountkey'])(
    'the %s= part of a connection string is a secret',
    (part) => {
      const scrubber = createSecretScrubber({ CONN: `Endpoint=x; ${part} = ${SECRET} ;Other=visible-value` });
      expect(scrubber?.scrub(`failed with ${SECRET}; Other=visible-value`)).toBe('failed with [redacted]; Other=visible-value');
    },
  );

  it('a secret-named connection string is redacted whole', () => {
    const value = `Endpoint=sb://x/;SharedAccessKey=${SECRET}`;
    expect(createSecretScrubber({ SERVICEBUS_CONNECTION_STRING: value })?.scrub(`bad: ${value}`)).toBe('bad: [redacted]');
  });
});

describe('createSecretScrubber: the forms a value takes in text', () => {
  const scrubber = createSecretScrubber({ API_TOKEN: SECRET })!;
  it.each<[string, (s: string) => string]>([
    ['raw', (s) => s],
    ['JSON-escaped', (s) => JSON.stringify(JSON.stringify({ t: s }))],
    ['URL-encoded', encodeURIComponent],
    ['URL-encoded, lower-case escapes', (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['form-encoded', (s) => new URLSearchParams({ t: s }).toString()],
    ['escape()d', escape],
    ...[0, 1, 2].map((pad): [string, (s: string) => string] => [
      `base64 after ${pad} bytes`,
      (s) => Buffer.from(`${'u:'.slice(0, pad)}${s}`).toString('base64'),
    ]),
    ...[0, 1, 2].map((pad): [string, (s: string) => string] => [
      `base64url after ${pad} bytes`,
      (s) => Buffer.from(`${'u:'.slice(0, pad)}${s}`).toString('base64url'),
    ]),
  ])('%s', (_form, encode) => {
    const text = `before ${encode(SECRET)} after`;
    const out = scrubber.scrub(text);
    expect(out).toContain('[redacted]');
    expect(out.startsWith('before ')).toBe(true);
    expect(out.endsWith(' after')).toBe(true);
    // Every encoding of the secret in the input is gone from the output.
    expect(out).not.toContain(encode(SECRET).slice(4, -4));
  });

  it('text without a secret comes back unchanged', () => {
    const text = 'handler failed: audit store unavailable for ada';
    expect(scrubber.scrub(text)).toBe(text);
  });
});

describe('redactSecrets: the process-wide scrubber', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    resetSecretRedaction();
  });

  it('reads process.env once, on first use, and keeps it', () => {
    process.env.FAASPORT_TEST_API_TOKEN = 'first-token-value';
    resetSecretRedaction();
    expect(redactSecrets('first-token-value')).toBe('[redacted]');
    process.env.FAASPORT_TEST_API_TOKEN = 'second-token-value';
    expect(redactSecrets('first-token-value second-token-value')).toBe('[redacted] second-token-value');
  });

  it('names added later (an app option) rebuild it', () => {
    process.env.FAASPORT_TEST_BILLING = 'billing-account-7';
    resetSecretRedaction();
    expect(redactSecrets('billing-account-7')).toBe('billing-account-7');
    addSecretEnvNames(['FAASPORT_TEST_BILLING']);
    expect(redactSecrets('billing-account-7')).toBe('[redacted]');
  });
});

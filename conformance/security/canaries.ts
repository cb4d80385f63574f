import { randomBytes } from 'node:crypto';

/** Where a secret is planted: `env-*` are environment variables of each kind faasport recognises. */
export type CanaryPlace =
  | 'env'
  | 'env-token'
  | 'env-key'
  | 'env-secret'
  | 'env-credential'
  | 'env-connection-string'
  | 'env-account-key'
  | 'env-azure-storage'
  | 'env-user-listed'
  | 'authorization'
  | 'cookie'
  | 'functions-key'
  | 'query-code'
  | 'body'
  | 'short-body';

export type Canaries = Readonly<Record<CanaryPlace, string>>;

/**
 * Fresh secrets, one per place. Each has characters that URL-, JSON- and base64-encoding
 * change, so an encoded copy is not also a raw copy.
 */
export function createCanaries(): Canaries {
  const make = (place: string): string => `cnry.${place}.${randomBytes(9).toString('hex')}/+=`;
  return {
    env: make('env'),
    'env-token': make('token'),
    'env-key': make('key'),
    'env-secret': make('secret'),
    'env-credential': make('cred'),
    'env-connection-string': make('connstr'),
    'env-account-key': make('acctkey'),
    'env-azure-storage': make('azstorage'),
    'env-user-listed': make('listed'),
    authorization: make('auth'),
    cookie: make('cookie'),
    'functions-key': make('fkey'),
    'query-code': make('code'),
    body: make('body'),
    // Short enough that an error message quoting the whole input would carry all of it.
    'short-body': `k/${randomBytes(5).toString('hex')}+=`,
  };
}

/** The forms a secret can take in text: raw, URL-encoded, JSON-escaped, base64 and base64url at each alignment. */
export function encodedForms(secret: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), escape(secret)]);
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.from('x'.repeat(pad) + secret).toString('base64');
    // Drop the characters that also depend on the neighbours of the secret.
    const start = pad === 0 ? 0 : 4;
    const stable = encoded.slice(start, start + Math.floor(((secret.length - (pad === 0 ? 0 : 3 - pad)) * 4) / 3 / 4) * 4 - 4);
    if (stable.length >= 8) {
      forms.add(stable);
      forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms];
}

export interface Leak {
  readonly place: CanaryPlace;
  readonly form: string;
  readonly where: string;
  readonly excerpt: string;
}

/** Every canary found in `text`, in any encoded form, case-insensitively for URL escapes. */
export function findLeaks(canaries: Canaries, where: string, text: string): Leak[] {
  const leaks: Leak[] = [];
  const lower = text.toLowerCase();
  for (const [place, secret] of Object.entries(canaries) as [CanaryPlace, string][]) {
    for (const form of encodedForms(secret)) {
      const i = form.includes('%') ? lower.indexOf(form.toLowerCase()) : text.indexOf(form);
      if (i >= 0) leaks.push({ place, form, where, excerpt: text.slice(Math.max(0, i - 80), i + form.length + 40) });
    }
  }
  return leaks;
}

/** The environment variable names the `env-*` canaries are planted under, one per kind faasport recognises. */
export const CANARY_ENV = {
  password: 'FAASPORT_CANARY_DB_PASSWORD',
  token: 'FAASPORT_CANARY_API_TOKEN',
  key: 'FAASPORT_CANARY_SIGNING_KEY',
  secret: 'FAASPORT_CANARY_CLIENT_SECRET',
  credential: 'FAASPORT_CANARY_CREDENTIALS',
  connectionString: 'FAASPORT_CANARY_BUS_CONNECTION_STRING',
  /** Not a secret name: only the `AccountKey=` part of its value marks it. */
  storage: 'FAASPORT_CANARY_STORAGE',
  azureStorage: 'AzureWebJobsStorage',
  /** Not a secret name: listed in FAASPORT_REDACT_ENV. */
  userListed: 'FAASPORT_CANARY_BILLING_ACCOUNT',
  /** Not a secret name, and no secret: its value must stay readable. */
  region: 'FAASPORT_CANARY_REGION',
  /** A secret name with a value too short to redact ("true" must stay readable). */
  flag: 'FAASPORT_CANARY_FLAG_TOKEN',
} as const;

/** An environment holding every `env-*` canary under the name of its kind, plus values that must not be redacted. */
export function canaryEnvironment(canaries: Canaries): Record<string, string> {
  return {
    [CANARY_ENV.password]: canaries.env,
    [CANARY_ENV.token]: canaries['env-token'],
    [CANARY_ENV.key]: canaries['env-key'],
    [CANARY_ENV.secret]: canaries['env-secret'],
    [CANARY_ENV.credential]: canaries['env-credential'],
    [CANARY_ENV.connectionString]: `Endpoint=sb://canary.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${canaries['env-connection-string']}`,
    [CANARY_ENV.storage]: `DefaultEndpointsProtocol=https;AccountName=canary;AccountKey=${canaries['env-account-key']};EndpointSuffix=core.windows.net`,
    [CANARY_ENV.azureStorage]: canaries['env-azure-storage'],
    [CANARY_ENV.userListed]: canaries['env-user-listed'],
    FAASPORT_REDACT_ENV: CANARY_ENV.userListed,
    [CANARY_ENV.region]: `canary-region-${randomBytes(4).toString('hex')}`,
    [CANARY_ENV.flag]: 'true',
  };
}

/**
 * Sets `vars` in process.env and returns a function that puts back what was there. faasport
 * reads its scrubber once per process, so tests that plant secrets reset it after.
 */
export function plantEnvironment(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

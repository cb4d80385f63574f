import { randomBytes } from 'node:crypto';

/** Where a secret is planted. */
export type CanaryPlace = 'env' | 'authorization' | 'cookie' | 'functions-key' | 'query-code' | 'body' | 'short-body';

export type Canaries = Readonly<Record<CanaryPlace, string>>;

/**
 * Fresh secrets, one per place. Each has characters that URL-, JSON- and base64-encoding
 * change, so an encoded copy is not also a raw copy.
 */
export function createCanaries(): Canaries {
  const make = (place: string): string => `cnry.${place}.${randomBytes(9).toString('hex')}/+=`;
  return {
    env: make('env'),
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

/** What a secret value is replaced with, in every line, answer and dead letter faasport writes. */
export const REDACTED = '[redacted]';

/**
 * Values shorter than this are never treated as secrets: redacting "1", "true" or "on"
 * wherever they appear would garble every log line and hide nothing worth hiding.
 */
export const MIN_SECRET_LENGTH = 6;

/** Environment variable names whose values are secrets (matched anywhere in the name, any case). */
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|CONNECTION_?STRING|CONNSTR|^AzureWebJobsStorage$/i;

/** Config words a secret-named variable may hold (`USE_KEY_VAULT=disabled`) that are no secret. */
const NOT_SECRETS = new Set(['enabled', 'disabled', 'undefined', 'localhost', 'production', 'development']);

/** The secret parts of a connection string, in any variable: `AccountKey=…;`, `SharedAccessKey=…`, `Password=…`. */
const CONNECTION_STRING_PART = /(?:^|;)\s*(?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|ClientSecret|AccessKey)\s*=\s*([^;]+)/gi;

/** The user-given list of further variable names, comma-separated. */
export const REDACT_ENV_VARIABLE = 'FAASPORT_REDACT_ENV';

/** Replaces every known secret value, in any of the forms it takes in text, with {@link REDACTED}. */
export interface SecretScrubber {
  scrub(text: string): string;
  /** How many distinct secret values it knows. */
  readonly secrets: number;
}

/**
 * Builds a scrubber over the secret values of `env`: variables whose names contain SECRET,
 * PASSWORD, PASSWD, TOKEN, KEY, CREDENTIAL, CONNECTION_STRING / CONNECTIONSTRING or CONNSTR
 * (any case), `AzureWebJobsStorage`, the names listed in `FAASPORT_REDACT_ENV` (comma-separated)
 * and `names`; of any variable, the key parts of a connection string (`AccountKey=`,
 * `SharedAccessKey=`, `Password=`, …) and the password of a URL (`postgres://user:pw@host`).
 * Values shorter than {@link MIN_SECRET_LENGTH} are left alone. Each value is found raw,
 * JSON-escaped, URL-encoded (either case of escapes), form-encoded and base64/base64url at
 * any alignment. Undefined when there is nothing to redact.
 *
 * @example
 * ```ts
 * import { createSecretScrubber } from 'faasport';
 * const scrubber = createSecretScrubber({ DB_PASSWORD: 'hunter2-hunter2' });
 * scrubber?.scrub('login failed with hunter2-hunter2'); // 'login failed with [redacted]'
 * ```
 */
export function createSecretScrubber(
  env: Readonly<Record<string, string | undefined>>,
  names: Iterable<string> = [],
  extraValues: Iterable<string> = [],
): SecretScrubber | undefined {
  const listed = new Set([...names, ...(env[REDACT_ENV_VARIABLE] ?? '').split(',')].map((n) => n.trim()).filter(Boolean));
  const values = new Set<string>();
  const add = (value: string): void => {
    const v = value.trim();
    if (v.length >= MIN_SECRET_LENGTH && !NOT_SECRETS.has(v.toLowerCase())) values.add(v);
  };
  for (const value of extraValues) add(value);
  for (const [name, value] of Object.entries(env)) {
    if (!value || name === REDACT_ENV_VARIABLE) continue;
    if (listed.has(name) || SECRET_NAME.test(name)) add(value);
    for (const m of value.matchAll(CONNECTION_STRING_PART)) add(m[1]!);
    const password = urlPassword(value);
    if (password) {
      add(password);
      add(safeDecode(password));
    }
  }
  if (values.size === 0) return undefined;
  const forms = new Set<string>();
  for (const value of values) for (const form of encodedForms(value)) forms.add(form);
  const re = new RegExp(alternation([...forms]), 'g');
  return {
    secrets: values.size,
    scrub: (text) => text.replace(re, REDACTED),
  };
}

/** The forms a value takes in text: raw, JSON-escaped, URL- and form-encoded, escape()d, base64 cores. */
function encodedForms(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), escape(value)];
  const bytes = Buffer.from(value);
  for (let pad = 0; pad < 3; pad++) {
    // Each 4-character group of base64 encodes exactly 3 bytes: the groups that fall wholly
    // inside the value are the same whatever bytes come before and after it.
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const first = pad === 0 ? 0 : 1;
    const last = Math.floor((pad + bytes.length) / 3);
    const core = encoded.slice(first * 4, last * 4);
    if (core.length >= 8) forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/**
 * One regular expression for every form, grouped by first token (`c(?:nry1|nry2)|%2[fF](?:…)`):
 * V8 then tries a handful of alternatives at each position instead of all of them. Longest
 * first within a group: a whole connection string is replaced before the key inside it.
 */
function alternation(forms: string[]): string {
  const groups = new Map<string, string[]>();
  for (const form of forms.sort((a, b) => b.length - a.length)) {
    const first = /^%[0-9A-F]{2}/.test(form) ? form.slice(0, 3) : form.slice(0, 1);
    const rest = groups.get(first);
    if (rest) rest.push(form.slice(first.length));
    else groups.set(first, [form.slice(first.length)]);
  }
  return [...groups].map(([first, rests]) => `${toPattern(first)}(?:${rests.map(toPattern).join('|')})`).join('|');
}

function toPattern(form: string): string {
  // Percent escapes match in either case: %2F and %2f are the same byte.
  return form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([0-9A-F])([0-9A-F])/g, (_m, a: string, b: string) => `%${caseless(a)}${caseless(b)}`);
}

function caseless(hex: string): string {
  return /[A-F]/.test(hex) ? `[${hex}${hex.toLowerCase()}]` : hex;
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) return undefined;
  try {
    return new URL(value).password || undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

interface ProcessRedaction {
  names: Set<string>;
  /** Secret values that live in no variable (the per-run token `faasport dev` makes). */
  values?: Set<string>;
  scrubber: SecretScrubber | undefined | null;
}

// One per process, shared through a global symbol: the CLI and the app it loads may hold two
// copies of this module, and an app's `redactEnv` must reach the runtime's logger.
const STATE = Symbol.for('faasport.redactSecrets');

function processState(): ProcessRedaction {
  const holder = globalThis as { [STATE]?: ProcessRedaction };
  return (holder[STATE] ??= { names: new Set(), scrubber: null });
}

/**
 * `text` with every secret value of this process's environment replaced by `[redacted]`
 * (see {@link createSecretScrubber} for which values). The scrubber is built on first use
 * from `process.env` as it is then, and kept for the life of the process.
 *
 * @example
 * ```ts
 * import { redactSecrets } from 'faasport';
 * process.stderr.write(redactSecrets(`retrying with ${process.env.API_TOKEN}`) + '\n');
 * ```
 */
export function redactSecrets(text: string): string {
  const scrubber = processScrubber();
  return scrubber ? scrubber.scrub(text) : text;
}

/** This process's scrubber, built on first use; undefined when the environment holds no secret. */
export function processScrubber(): SecretScrubber | undefined {
  const state = processState();
  if (state.scrubber === null) state.scrubber = createSecretScrubber(process.env, state.names, state.values ?? []);
  return state.scrubber;
}

/** Adds environment variable names whose values are secrets (an app's `log.redactEnv`); the scrubber is rebuilt on next use. */
export function addSecretEnvNames(names: readonly string[]): void {
  const state = processState();
  for (const name of names) state.names.add(name);
  state.scrubber = null;
}

/** Adds secret values that no environment variable holds (the dev server's per-run token); the scrubber is rebuilt on next use. */
export function addSecretValues(values: readonly string[]): void {
  const state = processState();
  const known = (state.values ??= new Set());
  for (const value of values) known.add(value);
  state.scrubber = null;
}

/** Forgets the scrubber so the next use reads `process.env` again: for tests that change it. */
export function resetSecretRedaction(): void {
  processState().scrubber = null;
}

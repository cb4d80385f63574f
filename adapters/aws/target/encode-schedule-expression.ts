import { FaasportError, type ScheduleFunctionDefinition } from 'faasport';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Value of the first name (months start at 1, days at 0). */
  readonly nameBase?: number;
}

const MINUTE: FieldSpec = { min: 0, max: 59 };
const HOUR: FieldSpec = { min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { min: 1, max: 31 };
const MONTH: FieldSpec = { min: 1, max: 12, names: MONTHS, nameBase: 1 };
// Cron accepts 7 for Sunday as well as 0.
const DAY_OF_WEEK: FieldSpec = { min: 0, max: 7, names: DAYS, nameBase: 0 };

/**
 * The EventBridge schedule expression for a schedule function: a 5-field cron becomes
 * `cron(min hour dom month dow *)` and `every` becomes `rate(...)`.
 *
 * EventBridge differs from cron in three ways this handles: day-of-week counts 1-7 from
 * Sunday (so days are written as SUN-SAT names), one of day-of-month / day-of-week must be
 * `?`, and day-of-week takes no `/` step (steps are expanded to a list). Restricting both
 * day fields (cron runs when either matches; EventBridge cannot say that) is refused with
 * CAPABILITY_UNSUPPORTED.
 *
 * @example
 * ```ts
 * import { toEventBridgeCron } from 'faasport/aws/target';
 * toEventBridgeCron('30 3 * * 1-5', 'schedule "report"'); // 'cron(30 3 ? * MON-FRI *)'
 * ```
 */
export function toEventBridgeCron(cron: string, what: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new FaasportError('INVALID_CRON', `${what}: cron "${cron}" must have 5 fields (minute hour day-of-month month day-of-week)`, { details: { cron } });
  }
  const unsupported = (why: string): never => {
    throw new FaasportError('CAPABILITY_UNSUPPORTED', `${what}: cron "${cron}" ${why} on aws (EventBridge schedules); rewrite the schedule`, {
      details: { adapter: 'aws', cron },
    });
  };
  const [minute, hour, dom, month, dow] = fields.map((f) => f.toUpperCase()) as [string, string, string, string, string];
  const domAny = dom === '*' || dom === '?';
  const dowAny = dow === '*' || dow === '?';
  if (!domAny && !dowAny) {
    unsupported(
      'restricts both day-of-month and day-of-week (cron runs when either matches; EventBridge needs "?" in one of them); restrict only one or use two schedules',
    );
  }
  const minuteOut = encodeNumeric(minute, MINUTE, unsupported);
  const hourOut = encodeNumeric(hour, HOUR, unsupported);
  const monthOut = encodeNumeric(month, MONTH, unsupported);
  let domOut: string;
  let dowOut: string;
  if (dowAny) {
    domOut = dom === 'L' ? 'L' : domAny ? '*' : encodeNumeric(dom, DAY_OF_MONTH, unsupported);
    dowOut = '?';
  } else {
    domOut = '?';
    dowOut = encodeDayOfWeek(dow, unsupported);
  }
  return `cron(${minuteOut} ${hourOut} ${domOut} ${monthOut} ${dowOut} *)`;
}

/**
 * `every` (whole minutes) as an EventBridge rate: `rate(1 minute)`, `rate(5 minutes)`,
 * `rate(2 hours)`, `rate(1 day)` (EventBridge wants the singular unit for 1).
 *
 * @example
 * ```ts
 * import { toEventBridgeRate } from 'faasport/aws/target';
 * toEventBridgeRate(90 * 60_000); // 'rate(90 minutes)'
 * ```
 */
export function toEventBridgeRate(everyMs: number): string {
  const minutes = Math.round(everyMs / 60_000);
  const [n, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${n} ${unit}${n === 1 ? '' : 's'})`;
}

/** The schedule expression for one schedule function (cron or rate). */
export function scheduleExpression(def: Pick<ScheduleFunctionDefinition, 'name' | 'cron' | 'everyMs'>): string {
  if (def.cron !== undefined) return toEventBridgeCron(def.cron, `schedule "${def.name}"`);
  return toEventBridgeRate(def.everyMs!);
}

type Refuse = (why: string) => never;

/** Expands a cron field to its sorted set of values. */
function expand(field: string, spec: FieldSpec, refuse: Refuse): number[] {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) refuse(`has a field token "${part}" that cannot be converted`);
    const [, base, stepText] = m!;
    const step = stepText === undefined ? 1 : Number(stepText);
    let start: number;
    let end: number;
    if (base === '*') {
      start = spec.min;
      end = spec === DAY_OF_WEEK ? 6 : spec.max;
    } else {
      const range = base!.split('-');
      if (range.length > 2) refuse(`has a field token "${part}" that cannot be converted`);
      start = value(range[0]!, spec, refuse);
      end = range.length === 2 ? value(range[1]!, spec, refuse) : stepText === undefined ? start : spec.max;
    }
    if (step < 1 || end < start) refuse(`has a field token "${part}" that cannot be converted`);
    for (let v = start; v <= end; v += step) values.add(spec === DAY_OF_WEEK ? v % 7 : v);
  }
  return [...values].sort((a, b) => a - b);
}

function value(token: string, spec: FieldSpec, refuse: Refuse): number {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < spec.min || n > spec.max) refuse(`has ${token} outside ${spec.min}-${spec.max}`);
    return n;
  }
  const index = spec.names?.indexOf(token) ?? -1;
  if (index < 0) refuse(`has a token "${token}" (L, W and # are not portable) that cannot be converted`);
  return index + (spec.nameBase ?? 0);
}

/** Minutes, hours, day-of-month, month: `*`, an `a/step` progression, or ranges and lists. */
function encodeNumeric(field: string, spec: FieldSpec, refuse: Refuse): string {
  if (field === '*' || field === '?') return '*';
  const values = expand(field, spec, refuse);
  if (values.length === spec.max - spec.min + 1) return '*';
  const progression = asProgression(values, spec.max);
  return progression ?? compress(values, String);
}

/** Day-of-week as SUN-SAT names (EventBridge numbers days 1-7 from Sunday; names cannot be misread). */
function encodeDayOfWeek(field: string, refuse: Refuse): string {
  const values = expand(field, DAY_OF_WEEK, refuse);
  if (values.length === 7) return '*';
  return compress(values, (d) => DAYS[d]!);
}

/** `start/step` when the values are exactly start, start+step, ... up to the field's end. */
function asProgression(values: readonly number[], max: number): string | undefined {
  if (values.length < 3) return undefined;
  const step = values[1]! - values[0]!;
  for (let i = 1; i < values.length; i++) if (values[i]! - values[i - 1]! !== step) return undefined;
  return values[values.length - 1]! + step > max ? `${values[0]}/${step}` : undefined;
}

/** Sorted values as a list of single values and `a-b` runs. */
function compress(values: readonly number[], show: (v: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${show(values[i]!)}-${show(values[j]!)}` : j === i ? show(values[i]!) : `${show(values[i]!)},${show(values[j]!)}`);
    i = j + 1;
  }
  return parts.join(',');
}

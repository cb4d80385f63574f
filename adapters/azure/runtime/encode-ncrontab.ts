import { FaasportError } from 'faasport';

/** A timer trigger schedule: a 6-field NCRONTAB expression or a TimeSpan (`hh:mm:ss`). */
export interface AzureSchedule {
  readonly schedule: string;
  /** TimeSpan schedules run only on App Service / Premium plans, not on Consumption. */
  readonly kind: 'ncrontab' | 'timespan';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const TOKEN = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/;

/**
 * Converts a portable 5-field cron (`minute hour day-of-month month day-of-week`) to the
 * 6-field NCRONTAB Azure timers use (a leading seconds field). Names become numbers, `7`
 * (Sunday) becomes `0` and `?` becomes `*`. Refused with CAPABILITY_UNSUPPORTED: `L`, `W`,
 * `#` (NCRONTAB has no equivalent), and restricting both day-of-month and day-of-week, which
 * cron matches with OR and NCRONTAB with AND.
 *
 * @example
 * ```ts
 * import { toNcrontab } from 'faasport/azure';
 * toNcrontab('30 3 * * MON-FRI', 'schedule "report"'); // '0 30 3 * * 1-5'
 * ```
 */
export function toNcrontab(cron: string, what: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new FaasportError('INVALID_CRON', `${what}: cron "${cron}" must have 5 fields (minute hour day-of-month month day-of-week)`, { details: { cron } });
  }
  const unsupported = (why: string): never => {
    throw new FaasportError('CAPABILITY_UNSUPPORTED', `${what}: cron "${cron}" ${why} on azure (NCRONTAB timer schedules); rewrite the schedule`, {
      details: { adapter: 'azure', cron },
    });
  };
  const [minute, hour, dom, month, dow] = fields.map((f) => (f === '?' ? '*' : f.toUpperCase())) as [string, string, string, string, string];
  for (const field of [minute, hour, dom, month, dow]) {
    if (/[LW#]/.test(field.replace(/[A-Z]{3}/g, (n) => (MONTHS.includes(n) || DAYS.includes(n) ? '0' : n)))) {
      unsupported('uses L, W or # (last / weekday / nth), which has no NCRONTAB equivalent');
    }
  }
  if (dom !== '*' && dow !== '*') {
    unsupported('restricts both day-of-month and day-of-week: cron runs when either matches, NCRONTAB only when both do; restrict only one');
  }
  const convert = (field: string, names: string[] | undefined, isDow: boolean): string =>
    field
      .split(',')
      .map((token) => {
        const named = names ? token.replace(/[A-Z]{3}/g, (n) => (names.includes(n) ? String(names.indexOf(n) + (names === MONTHS ? 1 : 0)) : n)) : token;
        const m = TOKEN.exec(named);
        if (!m) unsupported(`has a field token "${token}" NCRONTAB cannot express`);
        return isDow ? sundayAsZero(named) : named;
      })
      .join(',');
  return [
    '0',
    convert(minute, undefined, false),
    convert(hour, undefined, false),
    convert(dom, undefined, false),
    convert(month, MONTHS, false),
    convert(dow, DAYS, true),
  ].join(' ');
}

/** NCRONTAB days run 0-6; cron also accepts 7 for Sunday. */
function sundayAsZero(token: string): string {
  if (!/(^|[-,])7($|[-/])/.test(token)) return token;
  const m = TOKEN.exec(token)!;
  const [start, end] = m[1] === '*' ? [0, 7] : (m[1]!.split('-').map(Number) as [number, number?]);
  const last = end ?? (m[2] ? 7 : start);
  const step = m[2] ? Number(m[2]) : 1;
  const days = new Set<number>();
  for (let d = start; d <= last; d += step) days.add(d % 7);
  return [...days].sort((a, b) => a - b).join(',');
}

const MINUTE = 60_000;

/**
 * Converts a portable `every` interval (whole minutes) to a timer schedule: NCRONTAB when
 * the interval divides an hour or a day evenly (or is a week), so it runs on every plan; a
 * TimeSpan otherwise (`hh:mm:ss`, or `d.hh:mm:ss` from one day).
 *
 * @example
 * ```ts
 * import { everyToSchedule } from 'faasport/azure';
 * everyToSchedule(15 * 60_000); // { schedule: '0 *\/15 * * * *', kind: 'ncrontab' }
 * ```
 */
export function everyToSchedule(everyMs: number): AzureSchedule {
  const minutes = everyMs / MINUTE;
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new FaasportError('DEFINITION_INVALID', `every ${everyMs} ms is not a whole number of minutes; azure timers schedule by the minute`);
  }
  if (minutes < 60 && 60 % minutes === 0) return { schedule: minutes === 1 ? '0 * * * * *' : `0 */${minutes} * * * *`, kind: 'ncrontab' };
  if (minutes % 60 === 0) {
    const hours = minutes / 60;
    if (hours < 24 && 24 % hours === 0) return { schedule: hours === 1 ? '0 0 * * * *' : `0 0 */${hours} * * *`, kind: 'ncrontab' };
    if (hours === 24) return { schedule: '0 0 0 * * *', kind: 'ncrontab' };
    if (hours === 24 * 7) return { schedule: '0 0 0 * * 0', kind: 'ncrontab' };
  }
  const days = Math.floor(minutes / 1440);
  const hh = String(Math.floor((minutes % 1440) / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return { schedule: `${days > 0 ? `${days}.` : ''}${hh}:${mm}:00`, kind: 'timespan' };
}

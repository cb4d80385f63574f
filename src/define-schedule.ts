import { Cron } from 'croner';
import type { AppRegistry } from './app-registry.js';
import { COMMON_KEYS, checkHandler, commonOptions } from './common-options.js';
import { impossibleCronDate } from './cron-dates.js';
import type { ScheduleFunctionDefinition, ScheduleOptions } from './definitions.js';
import { FaasportError } from './errors.js';
import { checkKnownOptions, checkName, invalid, parseDuration } from './options.js';
import type { ScheduleHandler } from './types.js';

/** `app.schedule(name, options, handler)`: exactly one of a 5-field cron (with an optional time zone) or a whole number of minutes. */
export function defineSchedule(registry: AppRegistry, fname: string, options: ScheduleOptions, handler: ScheduleHandler): ScheduleFunctionDefinition {
  const what = `schedule "${fname}"`;
  checkName('function', fname);
  checkHandler(what, handler);
  if (typeof options !== 'object' || options === null) throw invalid(what, 'options { cron } or { every } are required');
  checkKnownOptions(what, options, ['cron', 'timezone', 'every', ...COMMON_KEYS]);
  const o = options as { cron?: unknown; timezone?: unknown; every?: unknown };
  if ((o.cron === undefined) === (o.every === undefined)) throw invalid(what, 'give exactly one of { cron: "0 3 * * *" } or { every: "5m" }');
  let cron: string | undefined;
  let timezone: string | undefined;
  let everyMs: number | undefined;
  if (o.cron !== undefined) {
    cron = checkCron(what, o.cron);
    if (o.timezone !== undefined) timezone = checkTimezone(what, o.timezone);
  } else {
    if (o.timezone !== undefined) throw invalid(what, 'timezone applies only to cron schedules');
    everyMs = parseDuration(`${what} every`, o.every);
    if (everyMs < 60_000 || everyMs % 60_000 !== 0) {
      throw invalid(what, `every must be a whole number of minutes (the clouds schedule by the minute), got ${JSON.stringify(o.every)}`);
    }
  }
  return registry.register<ScheduleFunctionDefinition>({ kind: 'schedule', name: fname, cron, timezone, everyMs, handler, ...commonOptions(what, options) });
}

function checkCron(what: string, cron: unknown): string {
  if (typeof cron !== 'string') throw new FaasportError('INVALID_CRON', `${what}: cron must be a string such as "0 3 * * *"`);
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new FaasportError(
      'INVALID_CRON',
      `${what}: cron "${cron}" has ${fields.length} fields; use the 5-field form "minute hour day-of-month month day-of-week" (every cloud schedules by the minute)`,
      { details: { cron } },
    );
  }
  try {
    new Cron(fields.join(' '), { paused: true });
  } catch (err) {
    throw new FaasportError('INVALID_CRON', `${what}: cron "${cron}" is invalid: ${(err as Error).message}`, { cause: err, details: { cron } });
  }
  const never = impossibleCronDate(fields);
  if (never) {
    throw new FaasportError('INVALID_CRON', `${what}: cron "${cron}" names no real date: ${never}; pick a day every chosen month has (28 for February)`, {
      details: { cron },
    });
  }
  return fields.join(' ');
}

function checkTimezone(what: string, tz: unknown): string {
  try {
    if (typeof tz !== 'string') throw new Error('not a string');
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    throw invalid(what, `timezone ${JSON.stringify(tz)} is not an IANA time zone such as "Europe/Paris"`);
  }
}

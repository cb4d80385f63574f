const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Longest month, leap years counted: 29 February is a real date. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a 5-field cron can never fire, or undefined. It catches a day-of-month that no chosen
 * month has (`0 0 30 2 *`, `0 0 31 4,6,9,11 *`): the cron parses, and would wait forever.
 * With a day-of-week as well, cron fires on either (Vixie cron, croner's default), so such a
 * schedule can fire; forms this reads no further (`L`, `W`, `#`) are left to the parser.
 */
export function impossibleCronDate(fields: readonly string[]): string | undefined {
  const [, , dom, month, dow] = fields;
  if (dom === undefined || month === undefined || dow === undefined) return undefined;
  if (dom === '*' || dom === '?' || (dow !== '*' && dow !== '?')) return undefined;
  const days = expand(dom, 1, 31, []);
  const months = expand(month, 1, 12, MONTH_NAMES);
  if (!days || !months || days.length === 0 || months.length === 0) return undefined;
  const minDay = Math.min(...days);
  if (months.some((m) => minDay <= DAYS_IN_MONTH[m - 1]!)) return undefined;
  const names = months.map((m) => MONTH_NAMES[m - 1]!.charAt(0) + MONTH_NAMES[m - 1]!.slice(1).toLowerCase());
  return `day ${days.join(',')} does not exist in ${names.join(', ')}, so it would never fire`;
}

/** The values a cron field lists, or undefined for a form this does not read. */
function expand(field: string, min: number, max: number, names: readonly string[]): number[] | undefined {
  const values = new Set<number>();
  const value = (text: string): number | undefined => {
    const i = names.indexOf(text.toUpperCase());
    if (i >= 0) return i + 1;
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (range === undefined || !Number.isInteger(step) || step < 1) return undefined;
    let from: number | undefined;
    let to: number | undefined;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [from, to] = [value(a ?? ''), value(b ?? '')];
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    if (from === undefined || to === undefined || from < min || to > max || from > to) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

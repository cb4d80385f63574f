/**
 * A message body as text: faasport producers send JSON, so JSON is parsed; text from
 * another producer that is not JSON stays the string itself rather than failing every
 * delivery. Text that cannot start a JSON value skips the parse (and its exception).
 */
export function parseJsonOrText(text: string): unknown {
  if (text === '') return '';
  const c = text.charCodeAt(0);
  // Only try JSON when the first character can start a JSON value.
  if (c === 123 || c === 91 || c === 34 || c === 116 || c === 102 || c === 110 || c === 45 || (c >= 48 && c <= 57) || c === 32 || c === 10 || c === 13 || c === 9) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

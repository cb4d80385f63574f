/**
 * A message body as text: faasport producers send JSON, so JSON is parsed; text from
 * another producer that is not JSON stays the string itself rather than failing every
 * delivery. Text that cannot start a JSON value skips the parse (and its exception).
 *
 * @example
 * ```ts
 * import { parseJsonOrText } from 'faasport';
 * parseJsonOrText('{"n":3}'); // { n: 3 }
 * parseJsonOrText('hello');   // 'hello'
 * ```
 */
export function parseJsonOrText(text: string): unknown {
  if (text === '') return '';
  const c = text.charCodeAt(0);
  // Only try JSON when the first character can start a JSON value.
  if (
    c === 123 ||
    c === 91 ||
    c === 34 ||
    c === 116 ||
    c === 102 ||
    c === 110 ||
    c === 45 ||
    (c >= 48 && c <= 57) ||
    c === 32 ||
    c === 10 ||
    c === 13 ||
    c === 9
  ) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

let utf8: TextDecoder | undefined;
/** C0 controls other than tab, LF and CR, and DEL: text does not hold them, binary data does. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * The body of a queue or topic message that carries no faasport content-type marker (one
 * that another producer sent: `aws sqs send-message`, `gcloud pubsub topics publish`, the
 * Azure portal...). The same rule on every adapter: UTF-8 text that parses as JSON is the
 * parsed value, other UTF-8 text is the string, anything else (bytes that are not UTF-8, or
 * that hold control characters other than tab, CR and LF) is the bytes as they arrived.
 *
 * @example
 * ```ts
 * import { decodeUnmarkedBody } from 'faasport';
 * decodeUnmarkedBody(new TextEncoder().encode('{"n":3}')); // { n: 3 }
 * decodeUnmarkedBody(new TextEncoder().encode('hello'));   // 'hello'
 * decodeUnmarkedBody(new Uint8Array([0xff, 0x00]));        // Uint8Array [255, 0]
 * ```
 */
export function decodeUnmarkedBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    // fatal: bytes that are not UTF-8 throw instead of turning into U+FFFD.
    text = (utf8 ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })).decode(bytes);
  } catch {
    return bytes;
  }
  return CONTROL.test(text) ? bytes : parseJsonOrText(text);
}

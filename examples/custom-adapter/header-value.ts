import { FaasportError } from 'faasport';

const HEX = '0123456789ABCDEF';
const encoder = new TextEncoder();

/**
 * Encodes an attribute value for a `ce-*` header (CloudEvents HTTP binding 3.1.3.2): space,
 * double-quote, percent and everything outside printable ASCII become UTF-8 `%XY` sequences.
 *
 * @example
 * ```ts
 * encodeHeaderValue('Euro € 😀'); // 'Euro%20%E2%82%AC%20%F0%9F%98%80'
 * ```
 */
export function encodeHeaderValue(value: string): string {
  let out = '';
  for (const char of value) {
    const cp = char.codePointAt(0)!;
    if (cp >= 0x21 && cp <= 0x7e && cp !== 0x22 && cp !== 0x25) {
      out += char;
      continue;
    }
    for (const byte of encoder.encode(char)) out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/**
 * Decodes a `ce-*` header value: first unquotes an RFC 7230 quoted string (older senders),
 * then performs exactly one round of percent-decoding. Invalid UTF-8 (such as the overlong
 * `%C0%A0`) and a bare `%` are rejected with EVENT_INVALID naming the header.
 */
export function decodeHeaderValue(header: string, raw: string, operation: string): string {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw new FaasportError(
      'EVENT_INVALID',
      `${operation}: header "${header}" is not validly percent-encoded UTF-8; encode the value as the CloudEvents HTTP binding describes (space → %20, % → %25)`,
      {
        status: 400,
        details: { header },
      },
    );
  }
}

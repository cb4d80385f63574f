import { describe, expect, it } from 'vitest';
import { decodeUnmarkedBody, parseJsonOrText } from './json-or-text.js';

describe('parseJsonOrText', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['[1,2]', [1, 2]],
    ['"s"', 's'],
    ['42', 42],
    ['-1', -1],
    ['true', true],
    ['null', null],
    [' \n{"a":1}', { a: 1 }],
    ['', ''],
    ['hello', 'hello'],
    ['{not json', '{not json'],
    ['trueish', 'trueish'],
  ])('%j → %j', (text, value) => {
    expect(parseJsonOrText(text)).toEqual(value);
  });
});

describe('decodeUnmarkedBody', () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['JSON object', utf8('{"n":3}'), { n: 3 }],
    ['JSON scalar', utf8('42'), 42],
    ['text', utf8('héllo 🚀'), 'héllo 🚀'],
    ['text that is not JSON', utf8('{n:3}'), '{n:3}'],
    ['empty', new Uint8Array(0), ''],
    ['text with tab, CR and LF', utf8('a\tb\r\nc'), 'a\tb\r\nc'],
    ['UTF-8 with a byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"n":3}')]), { n: 3 }],
  ])('%s', (_name, bytes, value) => {
    expect(decodeUnmarkedBody(bytes)).toEqual(value);
  });

  it.each([
    ['a lone continuation byte', [0x80, 0x41]],
    ['binary', [0xff, 0xfe, 0x00, 0x01]],
    ['a truncated sequence', [0x41, 0xe2, 0x82]],
    ['valid UTF-8 holding control bytes', [0x01, 0x02, 0x03, 0x04]],
    ['a NUL inside text', [0x41, 0x00, 0x42]],
  ])('bytes that are not UTF-8 (%s) stay the same bytes', (_name, raw) => {
    const bytes = new Uint8Array(raw);
    const body = decodeUnmarkedBody(bytes);
    expect(body).toBeInstanceOf(Uint8Array);
    expect([...(body as Uint8Array)]).toEqual(raw);
  });
});

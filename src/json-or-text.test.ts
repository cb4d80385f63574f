import { describe, expect, it } from 'vitest';
import { parseJsonOrText } from './json-or-text.js';

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

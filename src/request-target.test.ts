import { describe, expect, it } from 'vitest';
import { originForm, plainHost } from './request-target.js';

describe('originForm', () => {
  it.each([
    ['/hello?x=1', '/hello?x=1'],
    ['//evil.example/x', '//evil.example/x'],
    ['http://evil.example/hello?x', '/hello?x'],
    ['HTTPS://evil.example:8443/a/b', '/a/b'],
    ['http://evil.example', '/'],
    ['*', undefined],
    ['evil.example:443', undefined],
    ['javascript://x/%0aalert(1)', undefined],
    ['hello', undefined],
    ['', undefined],
  ])('%j → %j', (target, expected) => expect(originForm(target)).toBe(expected));
});

describe('plainHost', () => {
  it.each([
    ['shop.example.com', 'shop.example.com'],
    ['127.0.0.1:3000', '127.0.0.1:3000'],
    ['[::1]:8080', '[::1]:8080'],
    ['user@evil.example', undefined],
    ['good.example/evil', undefined],
    ['good.example?x', undefined],
    ['good example', undefined],
    ['9007199254740992', undefined],
    ['example.com:99999', undefined],
    ['2130706433', '2130706433'],
    [undefined, undefined],
  ])('%j → %j', (value, expected) => expect(plainHost(value)).toBe(expected));
});

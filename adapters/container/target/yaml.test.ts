import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { toYaml, toYamlDocuments } from './yaml.js';

describe('toYaml', () => {
  it.each([
    ['nested maps and lists', { a: [{ x: 1, y: ['s', { z: true }] }, 'str', [1, 2], {}], empty: [], m: { 'run.googleapis.com/x': 'false', n: null } }],
    [
      'strings YAML would otherwise read as other types',
      { yes: 'yes', no: 'no', num: '0755', colon: 'a: b', hash: 'x # y', dollar: '${IMAGE}', multi: 'a\nb', empty: '' },
    ],
    ['keys that need quoting', { 'has space': 1, '1starts-with-digit': 2, 'x-faasport-control-token': 'v' }],
  ])('round-trips %s through a real YAML parser', (_what, value) => {
    expect(parse(toYaml(value))).toEqual(value);
  });

  it('leaves out undefined properties and separates documents', () => {
    expect(parse(toYaml({ a: 1, b: undefined }))).toEqual({ a: 1 });
    expect(parseAllDocuments(toYamlDocuments([{ a: 1 }, { b: [2] }])).map((d) => d.toJS())).toEqual([{ a: 1 }, { b: [2] }]);
  });
});

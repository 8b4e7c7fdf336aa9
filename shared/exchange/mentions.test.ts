import { describe, expect, it } from 'vitest';
import { MentionFinder, stringsOf } from './mentions.ts';

describe('mention finder', () => {
  const finder = new MentionFinder();
  finder.addId('p1', 'Person “A”');
  finder.addId('01HZX3K9Q7', 'note “B”');
  finder.addValue('Ivan  Petrov', 'Person “Ivan Petrov”');
  finder.addValue('short', 'ignored: under six characters');

  it('finds ids as whole tokens only', () => {
    expect(finder.find('see p1.')).toBe('Person “A”');
    expect(finder.find('(p1)')).toBe('Person “A”');
    expect(finder.find('p12 and xp1')).toBeUndefined();
    expect(finder.find('ref:01HZX3K9Q7;')).toBe('note “B”');
  });

  it('finds values anywhere, without regard to case, spaces or compatibility forms', () => {
    expect(finder.find('met IVAN PETROV twice')).toBe('Person “Ivan Petrov”');
    expect(finder.find('met Ivan\n\tPetrov')).toBe('Person “Ivan Petrov”');
    expect(finder.find('ｉｖａｎ ｐｅｔｒｏｖ')).toBe('Person “Ivan Petrov”');
    expect(finder.find('a short note')).toBeUndefined();
  });

  it('tells apart many needles that share a prefix, short and long', () => {
    const many = new MentionFinder();
    for (let i = 0; i < 2000; i++) many.addValue(`Person Number ${i} Smithson`, `person ${i}`);
    many.addValue('abcdef', 'six');
    many.addId('01HP0000000000000000000042', 'id 42');
    many.addId('01HP0000000000000000000043', 'id 43');
    expect(many.find('we met person number 1999 smithson today')).toBe('person 1999');
    expect(many.find('person number 2000 smithson')).toBeUndefined();
    expect(many.find('xxabcdefxx')).toBe('six');
    expect(many.find('see 01HP0000000000000000000043')).toBe('id 43');
    expect(many.find('see 01HP00000000000000000000430')).toBeUndefined();
  });

  it('reads every string of a JSON value, keys included', () => {
    expect([...stringsOf({ a: ['x', { b: 'y' }], c: 1 })]).toEqual(['a', 'x', 'b', 'y', 'c']);
  });
});

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

  it('reads every string of a JSON value, keys included', () => {
    expect([...stringsOf({ a: ['x', { b: 'y' }], c: 1 })]).toEqual(['a', 'x', 'b', 'y', 'c']);
  });
});

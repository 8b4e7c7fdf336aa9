import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectHeader, detectSource } from './detect.ts';
import { encodeSingleByte, encodeUtf16le } from './testing/encode.ts';
import { CYRILLIC, entitiesCsv, GREEK, ROMANIAN, ROMANIAN_CEDILLA } from './testing/names.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('detectSource: encodings (fixtures made here from known names)', () => {
  const cases: [string, readonly string[], (text: string) => Uint8Array][] = [
    ['windows-1250', ROMANIAN_CEDILLA, (t) => encodeSingleByte(t, 'windows-1250')],
    ['windows-1251', CYRILLIC, (t) => encodeSingleByte(t, 'windows-1251')],
    ['koi8-r', CYRILLIC, (t) => encodeSingleByte(t, 'koi8-r')],
    ['iso-8859-7', GREEK, (t) => encodeSingleByte(t, 'iso-8859-7')],
    ['utf-16le with BOM', [...ROMANIAN, ...CYRILLIC, ...GREEK], (t) => encodeUtf16le(t)],
    ['utf-16le without BOM', [...ROMANIAN, ...CYRILLIC], (t) => encodeUtf16le(t, false)],
    ['utf-8', [...ROMANIAN, ...CYRILLIC, ...GREEK], utf8],
  ];
  for (const [label, names, encode] of cases) {
    it(`${label}: the names read back exactly`, () => {
      const detected = detectSource(encode(entitiesCsv(names, ';')));
      expect(detected.preview.map((row) => row[1])).toEqual(names);
      expect(detected.delimiter).toBe(';');
      expect(detected.header).toBe(true);
      expect(detected.columns).toEqual(['type', 'name', 'birth_date', 'nationality']);
    });
  }

  it('runs without Node’s Buffer, as in the wizard’s browser worker (chardet uses it only for files)', () => {
    const bytes = encodeSingleByte(entitiesCsv(CYRILLIC), 'windows-1251');
    const global = globalThis as { Buffer?: unknown };
    const saved = global.Buffer;
    delete global.Buffer;
    try {
      expect(detectSource(bytes).preview.map((row) => row[1])).toEqual(CYRILLIC);
    } finally {
      global.Buffer = saved;
    }
  });

  it('honours an encoding hint and refuses an unknown one with a code', () => {
    const bytes = encodeSingleByte(entitiesCsv(CYRILLIC), 'windows-1251');
    expect(detectSource(bytes, { encoding: 'windows-1251' }).preview[0]![1]).toBe(CYRILLIC[0]);
    expect(() => detectSource(bytes, { encoding: 'ebcdic-klingon' })).toThrow(
      expect.objectContaining({ code: 'import.encoding-unknown' }),
    );
  });

  it('does not count a character cut at the end of a 1 MiB sample as a wrong encoding', () => {
    const line = 'Ștefan;Țurcanu\n';
    const bytes = utf8(line.repeat(80_000)).subarray(0, 1024 * 1024 + 1);
    expect(detectSource(bytes.subarray(0, 1024 * 1024)).encoding).toBe('utf-8');
  });
});

describe('delimiter and header', () => {
  it('picks the delimiter that splits lines consistently, quotes respected', () => {
    expect(detectDelimiter('a,b;c\n"1,5";2\n"3,1";4\n')).toBe(';');
    expect(detectDelimiter('a\tb\tc\n1\t2\t3\n')).toBe('\t');
    expect(detectDelimiter('a|b\n1|2\n')).toBe('|');
    expect(detectDelimiter('name,amount\n"Popescu, Ion","1,5"\n')).toBe(',');
  });

  it('sees a header when the first row is distinct words over data', () => {
    expect(
      detectHeader([
        ['caller', 'duration'],
        ['+43 664 1', '75'],
      ]),
    ).toBe(true);
    expect(
      detectHeader([
        ['+43 664 1', '75'],
        ['+43 664 2', '80'],
      ]),
    ).toBe(false);
    expect(
      detectHeader([
        ['a', 'a'],
        ['1', '2'],
      ]),
    ).toBe(false);
  });

  it('previews at most 100 rows, after skipped rows', () => {
    const text = `report of 2024\ncaller,duration\n${Array.from({ length: 150 }, (_, i) => `+4366412345${i},${i}`).join('\n')}\n`;
    const detected = detectSource(utf8(text), { skipRows: 1 });
    expect(detected.columns).toEqual(['caller', 'duration']);
    expect(detected.preview).toHaveLength(100);
    expect(detected.preview[0]).toEqual(['+43664123450', '0']);
  });
});

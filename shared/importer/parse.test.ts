import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportEngineError } from './errors.ts';
import { createDecoder, createDelimitedParser } from './parse.ts';
import type { DelimitedParserKind } from './parse.ts';

/** RFC 4180 writing: a field with the delimiter, a quote, a line break or nothing is quoted. */
function toCsv(table: readonly string[][], delimiter: string, lineBreak: string): string {
  const field = (value: string, width: number) =>
    value === '' && width === 1
      ? '""'
      : /[",;\t|\r\n]/.test(value)
        ? `"${value.replaceAll('"', '""')}"`
        : value;
  return table
    .map((row) => row.map((value) => field(value, row.length)).join(delimiter))
    .join(lineBreak);
}

function parseInChunks(
  text: string,
  cuts: readonly number[],
  delimiter: string,
  kind: DelimitedParserKind,
) {
  const parser = createDelimitedParser({ delimiter, kind });
  const rows: string[][] = [];
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
    rows.push(...parser.push(text.slice(at, cut)));
    at = cut;
  }
  rows.push(...parser.push(text.slice(at)));
  rows.push(...parser.end());
  return rows;
}

const cell = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '1',
    ' ',
    ',',
    ';',
    '\t',
    '|',
    '"',
    '\n',
    '\r\n',
    'ș',
    'Ω',
    'Я',
    '😀',
  ),
  maxLength: 8,
});

describe('createDelimitedParser', () => {
  for (const kind of ['udsv', 'papaparse'] as const) {
    it(`${kind}: any table written as CSV and cut into random chunks reads back as the table`, () => {
      fc.assert(
        fc.property(
          fc.oneof(
            // Rectangular tables (uDSV's own case) and ragged ones (handed to PapaParse).
            fc.integer({ min: 1, max: 5 }).chain((width) =>
              fc.array(fc.array(cell, { minLength: width, maxLength: width }), {
                minLength: 1,
                maxLength: 12,
              }),
            ),
            fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), {
              minLength: 1,
              maxLength: 12,
            }),
          ),
          fc.constantFrom(',', ';', '\t', '|'),
          fc.constantFrom('\n', '\r\n'),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 12 }),
          (table, delimiter, lineBreak, trailingBreak, cuts) => {
            const text = toCsv(table, delimiter, lineBreak) + (trailingBreak ? lineBreak : '');
            const records = table.filter((row) => row.length > 1 || row[0] !== '');
            expect(parseInChunks(text, cuts, delimiter, kind)).toEqual(records);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  for (const kind of ['udsv', 'papaparse'] as const) {
    it(`${kind} reads ragged rows exactly`, () => {
      const text = 'a,b,c\n1,2\n1,2,3,4\n"x,y",z,w';
      expect(parseInChunks(text, [3, 9], ',', kind)).toEqual([
        ['a', 'b', 'c'],
        ['1', '2'],
        ['1', '2', '3', '4'],
        ['x,y', 'z', 'w'],
      ]);
    });
  }

  it('closes a quote left open at the end of the file', () => {
    expect(parseInChunks('a,b\n1,"2\n3', [], ',', 'udsv')).toEqual([
      ['a', 'b'],
      ['1', '2\n3'],
    ]);
  });

  it('skips blank lines', () => {
    expect(parseInChunks('a;b\n\n1;2\n', [], ';', 'udsv')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('refuses a delimiter it does not know, with a code', () => {
    expect(() => createDelimitedParser({ delimiter: 'x' })).toThrow(
      expect.objectContaining({ code: 'import.delimiter-invalid' }) as ImportEngineError,
    );
  });
});

describe('createDecoder', () => {
  it('decodes a multi-byte character cut between chunks', () => {
    const bytes = new TextEncoder().encode('Ștefan');
    const decoder = createDecoder('utf-8');
    expect(
      decoder.decode(bytes.subarray(0, 1)) + decoder.decode(bytes.subarray(1)) + decoder.end(),
    ).toBe('Ștefan');
  });

  it('refuses an unknown encoding with a code', () => {
    expect(() => createDecoder('klingon-8')).toThrow(
      expect.objectContaining({ code: 'import.encoding-unknown' }) as ImportEngineError,
    );
  });
});

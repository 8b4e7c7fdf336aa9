import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDateFormat, xlsxCellText, XlsxRowCollector } from './xlsxCells.ts';

describe('xlsxCellText', () => {
  it('writes every finite number so that it reads back as the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = xlsxCellText(n);
        expect(Number(text)).toBe(n === 0 ? 0 : n);
        expect(text).not.toMatch(/,/);
      }),
    );
    expect(xlsxCellText(436641234567)).toBe('436641234567');
  });

  it('writes dates as wall-clock ISO without an offset, rounded to the second', () => {
    const almost = new Date(Date.UTC(2026, 2, 1, 14, 29, 59, 999.7));
    expect(xlsxCellText(almost, 'dd/mm/yyyy hh:mm')).toBe('2026-03-01 14:30:00');
    expect(xlsxCellText(almost, 'dd/mm/yyyy')).toBe('2026-03-01');
    expect(xlsxCellText(almost, '[$-409]d-mmm-yy;@')).toBe('2026-03-01');
    expect(xlsxCellText(almost)).toBe('2026-03-01 14:30:00');
  });

  it('reads formulas, rich text, hyperlinks, errors and booleans as the text shown', () => {
    expect(xlsxCellText({ formula: 'A1*2', result: 10 })).toBe('10');
    expect(xlsxCellText({ sharedFormula: 'A1', result: 'x' })).toBe('x');
    expect(xlsxCellText({ formula: 'NOW()' })).toBe('');
    expect(xlsxCellText({ formula: 'A1+1', result: 46082.5 }, 'dd/mm/yyyy hh:mm')).toBe(
      '2026-03-01 12:00:00',
    );
    expect(xlsxCellText({ richText: [{ text: 'a' }, { text: 'b' }] })).toBe('ab');
    expect(xlsxCellText({ text: 'site', hyperlink: 'https://example.org' })).toBe('site');
    expect(xlsxCellText({ error: '#DIV/0!' })).toBe('#DIV/0!');
    expect([xlsxCellText(true), xlsxCellText(false), xlsxCellText(null)]).toEqual([
      'true',
      'false',
      '',
    ]);
  });

  it('tells date formats from number formats as exceljs does', () => {
    expect(isDateFormat('yyyy-mm-dd')).toBe(true);
    expect(isDateFormat('0.00')).toBe(false);
    expect(isDateFormat('#,##0 "days"')).toBe(false);
    expect(isDateFormat('[Red]0.00')).toBe(false);
    expect(isDateFormat(undefined)).toBe(false);
  });
});

describe('XlsxRowCollector', () => {
  it('puts an empty row for each row number the sheet leaves out', () => {
    const rows = new XlsxRowCollector();
    const row = (number: number, ...values: string[]) => ({
      number,
      cellCount: values.length,
      getCell: (column: number) => ({ value: values[column - 1] }),
    });
    rows.add(row(2, 'a'));
    rows.add(row(5, 'b', 'c'));
    expect(rows.take()).toEqual([[], ['a'], [], [], ['b', 'c']]);
    expect(rows.size).toBe(0);
  });
});

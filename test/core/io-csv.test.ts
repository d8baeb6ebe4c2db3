import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readCsv, writeCsv, csvField, detectDelimiter, guardCell, unguardCell, CsvSyntaxError } from '../../core/io/index.ts';

const rows = (text: string, options = {}) => readCsv(text, options).rows;

describe('readCsv', () => {
  it('reads plain, quoted and escaped fields', () => {
    expect(rows('a,b,c\r\n1,"two, three","say ""hi"""\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'two, three', 'say "hi"'],
    ]);
  });

  it('keeps line breaks inside quotes and accepts CRLF, LF and CR between records', () => {
    expect(rows('a,b\n"line 1\r\nline 2",x\ry,"z\rz"\r\nlast,1')).toEqual([
      ['a', 'b'],
      ['line 1\r\nline 2', 'x'],
      ['y', 'z\rz'],
      ['last', '1'],
    ]);
  });

  it('strips a byte-order mark, skips blank lines and a trailing newline, keeps empty fields', () => {
    const t = readCsv('\uFEFFa,b\r\n\r\n,\r\n1,\r\n\r\n');
    expect(t.rows).toEqual([['a', 'b'], ['', ''], ['1', '']]);
    expect(t.rowNumbers).toEqual([1, 3, 4]);
    expect(rows('')).toEqual([]);
    expect(rows('\n\n')).toEqual([]);
    expect(rows('a,')).toEqual([['a', '']]);
  });

  it('numbers rows as a spreadsheet does, even when a quoted field spans lines', () => {
    const t = readCsv('h\n"a\nb"\nc\n');
    expect(t.rows).toEqual([['h'], ['a\nb'], ['c']]);
    expect(t.rowNumbers).toEqual([1, 2, 3]);
  });

  it('detects semicolon and tab delimiters from the header, ignoring quoted ones', () => {
    expect(detectDelimiter('a;b;c\n1,5;2;3')).toBe(';');
    expect(detectDelimiter('"a;b;c",d\n')).toBe(',');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(rows('a;b\n"x;y";2,5')).toEqual([['a', 'b'], ['x;y', '2,5']]);
  });

  it('refuses malformed input with the row: an unclosed quote, text after a closing quote', () => {
    const err = (text: string) => {
      try {
        readCsv(text);
      } catch (e) {
        return e as CsvSyntaxError;
      }
      throw new Error('no error');
    };
    const a = err('a,b\n1,"open\n2,3\n');
    expect(a).toBeInstanceOf(CsvSyntaxError);
    expect(a.row).toBe(2);
    expect(a.message).toMatch(/not closed/);
    const b = err('a,b\n1,"x"y\n');
    expect(b.row).toBe(2);
    expect(b.message).toMatch(/after a closing quote/);
  });

  it('caps field length, field count and row count with clear errors', () => {
    expect(() => readCsv(`a\n${'x'.repeat(101)}`, { maxFieldLength: 100 })).toThrow(/longer than 100 characters/);
    expect(() => readCsv(`a\n"${'x'.repeat(101)}"`, { maxFieldLength: 100 })).toThrow(/longer than 100 characters/);
    expect(() => readCsv('a,b,c,d', { maxFields: 3 })).toThrow(/more than 3 fields/);
    expect(() => readCsv('a\n1\n2\n3', { maxRows: 3 })).toThrow(/more than 3 rows/);
    // A megabyte field within the default cap is read whole.
    const big = 'y'.repeat(99_000);
    expect(rows(`a\n"${big}"`)[1]![0]).toHaveLength(99_000);
    expect(() => readCsv(`a\n${'z'.repeat(200_000)}`)).toThrow(CsvSyntaxError);
  });
});

describe('writeCsv', () => {
  it('quotes only what needs it and ends lines with CRLF', () => {
    expect(writeCsv([['a', 'b c', 'd,e', 'f"g', 'h\ni', ' pad', '']])).toBe('a,b c,"d,e","f""g","h\ni"," pad",\r\n');
    expect(csvField('x;y', ';')).toBe('"x;y"');
  });

  it('round-trips any table through readCsv (property)', () => {
    const cell = fc.oneof(fc.string(), fc.constantFrom('"', '""', ',', '\r\n', '\n', '\r', ' ', ';', '\uFEFF', '=1+1'));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), fc.constantFrom(',', ';'), (table, delimiter) => {
        // A record of one empty field is a blank line, which readers skip by design.
        const data = table.map((r) => (r.length === 1 && r[0] === '' ? ['', ''] : r));
        // A leading BOM in the first field would be taken for the file's byte-order mark.
        if (data[0]![0]!.startsWith('\uFEFF')) data[0]![0] = 'x' + data[0]![0];
        expect(readCsv(writeCsv(data, delimiter), { delimiter }).rows).toEqual(data);
      }),
      { numRuns: 300 },
    );
  });
});

describe('formula-injection guard', () => {
  it('prefixes cells a spreadsheet would run, and undoes exactly that', () => {
    for (const v of ['=SUM(A1)', '+1', '-2', '@cmd', '\tx', '\rx']) expect(guardCell(v)).toBe(`'${v}`);
    expect(guardCell("'=x")).toBe("''=x");
    expect(guardCell('plain')).toBe('plain');
    expect(guardCell("it's")).toBe("it's");
    fc.assert(fc.property(fc.string(), (s) => unguardCell(guardCell(s)) === s));
  });
});

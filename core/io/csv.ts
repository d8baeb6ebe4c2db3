/**
 * RFC 4180 CSV: a forgiving reader (quotes, doubled quotes, embedded newlines, CRLF/LF/CR, BOM,
 * `,` or `;` delimiters) with hard caps so a hostile file cannot exhaust memory, and a strict writer
 * (CRLF, quotes only where needed). Pure; no DOM.
 */

export interface CsvReadOptions {
  /** `,` or `;` (or any single character). Default: detected from the header line. */
  delimiter?: string;
  /** Longest field accepted, in characters. Default 100 000. */
  maxFieldLength?: number;
  /** Most records accepted (header included). Default 200 000. */
  maxRows?: number;
  /** Most fields in one record. Default 500. */
  maxFields?: number;
}

export interface CsvTable {
  delimiter: string;
  /** Records in order; blank lines are skipped. */
  rows: string[][];
  /** For each record, its 1-based record number counting blank lines (what a spreadsheet shows as its row). */
  rowNumbers: number[];
}

/** A problem reading CSV text, located by 1-based record number (and column position when known). */
export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
  constructor(
    message: string,
    readonly row: number,
    readonly columnIndex?: number,
  ) {
    super(message);
  }
}

export const CSV_LIMITS = { maxFieldLength: 100_000, maxRows: 200_000, maxFields: 500 } as const;

/** Picks `;` when the first line has more semicolons than commas outside quotes (European spreadsheets), else `,`. */
export function detectDelimiter(text: string): string {
  let commas = 0;
  let semis = 0;
  let tabs = 0;
  let quoted = false;
  for (let i = 0; i < text.length && i < 65_536; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted) {
      if (ch === '\n' || ch === '\r') break;
      if (ch === ',') commas++;
      else if (ch === ';') semis++;
      else if (ch === '\t') tabs++;
    }
  }
  if (semis > commas && semis >= tabs) return ';';
  if (tabs > commas && tabs > semis) return '\t';
  return ',';
}

/** Reads CSV text into records. Throws {@link CsvSyntaxError} (and only that) on malformed or oversized input. */
export function readCsv(input: string, options: CsvReadOptions = {}): CsvTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delimiter = options.delimiter ?? detectDelimiter(text);
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new CsvSyntaxError(`the delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`, 1);
  }
  const maxField = options.maxFieldLength ?? CSV_LIMITS.maxFieldLength;
  const maxRows = options.maxRows ?? CSV_LIMITS.maxRows;
  const maxFields = options.maxFields ?? CSV_LIMITS.maxFields;
  const d = delimiter.charCodeAt(0);
  const QUOTE = 34;
  const CR = 13;
  const LF = 10;

  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  let record: string[] = [];
  let recordNo = 1;
  const n = text.length;
  let i = 0;

  const pushField = (value: string) => {
    if (value.length > maxField) {
      throw new CsvSyntaxError(`a field is longer than ${maxField.toLocaleString('en-US')} characters`, recordNo, record.length);
    }
    if (record.length >= maxFields) throw new CsvSyntaxError(`a row has more than ${maxFields} fields`, recordNo, record.length);
    record.push(value);
  };
  const endRecord = () => {
    // A blank line (one empty field) is not a record.
    if (!(record.length === 1 && record[0] === '')) {
      if (rows.length >= maxRows) throw new CsvSyntaxError(`the file has more than ${maxRows.toLocaleString('en-US')} rows`, recordNo);
      rows.push(record);
      rowNumbers.push(recordNo);
    }
    record = [];
    recordNo++;
  };

  if (n === 0) return { delimiter, rows, rowNumbers };
  while (i <= n) {
    if (i === n) {
      // End of input right after a delimiter: one last empty field.
      pushField('');
      endRecord();
      break;
    }
    let c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Quoted field: runs to the next lone quote; "" is a literal quote.
      const startRow = recordNo;
      let value = '';
      let from = i + 1;
      let j = from;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new CsvSyntaxError('a quoted field is not closed (a " is missing)', startRow, record.length);
        if (q - from + value.length > maxField) {
          throw new CsvSyntaxError(`a field is longer than ${maxField.toLocaleString('en-US')} characters`, startRow, record.length);
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          j = from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      pushField(value);
      c = i < n ? text.charCodeAt(i) : -1;
      if (c === d) {
        i++;
        continue;
      }
      if (c === -1) {
        endRecord();
        break;
      }
      if (c === CR || c === LF) {
        i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
        endRecord();
        if (i === n) break;
        continue;
      }
      throw new CsvSyntaxError(`unexpected text after a closing quote (a quote inside a quoted field must be doubled: "")`, recordNo, record.length - 1);
    }
    // Unquoted field: runs to the delimiter or the end of the line.
    let j = i;
    while (j < n) {
      c = text.charCodeAt(j);
      if (c === d || c === CR || c === LF) break;
      j++;
      if (j - i > maxField) throw new CsvSyntaxError(`a field is longer than ${maxField.toLocaleString('en-US')} characters`, recordNo, record.length);
    }
    pushField(text.slice(i, j));
    if (j === n) {
      endRecord();
      break;
    }
    c = text.charCodeAt(j);
    if (c === d) {
      i = j + 1;
      continue;
    }
    i = j + (c === CR && text.charCodeAt(j + 1) === LF ? 2 : 1);
    endRecord();
    if (i === n) break;
  }
  return { delimiter, rows, rowNumbers };
}

/** Quotes a field when it holds the delimiter, a quote, a line break, or leading/trailing spaces. */
export function csvField(value: string, delimiter = ','): string {
  if (value === '') return '';
  const needs =
    value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r') || value.trim() !== value;
  return needs ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes records as RFC 4180 CSV with CRLF line endings (a CRLF after the last record too). */
export function writeCsv(rows: readonly (readonly string[])[], delimiter = ','): string {
  let out = '';
  for (const row of rows) out += row.map((v) => csvField(v, delimiter)).join(delimiter) + '\r\n';
  return out;
}

const TRIGGER = /^'*[=+\-@\t\r]/;

/**
 * Guards a text cell against formula injection when the file is opened in a spreadsheet: a cell that
 * would start with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice).
 * Cells already starting with quotes before such a character get one more, so {@link unguardCell} is exact.
 */
export function guardCell(value: string): string {
  return TRIGGER.test(value) ? `'${value}` : value;
}

/** Undoes {@link guardCell}. */
export function unguardCell(value: string): string {
  return value.startsWith("'") && TRIGGER.test(value.slice(1)) && /^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

export { CandorImportError, type ImportIssue } from './errors.ts';
export { readCsv, writeCsv, csvField, detectDelimiter, guardCell, unguardCell, CsvSyntaxError, CSV_LIMITS, type CsvReadOptions, type CsvTable } from './csv.ts';
export { CSV_COLUMNS, DERIVED_COLUMNS, type CsvColumn } from './columns.ts';
export { exportJson, canonicalDocument } from './json.ts';
export { exportCsv, formatMilestones, type CsvExportOptions } from './csv-export.ts';
export { parseMilestones, type CsvImportOptions } from './csv-import.ts';
export { exportMarkdown, escapeMarkdown, statusText, type MarkdownOptions } from './markdown.ts';
export { planImport, detectFormat, sameValue, type ImportPlan, type ImportResult, type ImportOptions, type ImportFormat } from './import.ts';

// What a single CSV cell means: missing, a number (with a '.' or ',' decimal separator and optional thousands
// separators), or text. Kept apart from the streaming parser so the rules are small, testable and shared by
// delimiter sniffing, header detection and column typing.

/** The decimal separator of a file. */
export type DecimalSeparator = '.' | ',';

// Compared lower-cased: '', NA, N/A, NaN, nan, null, NULL, None, #N/A, -, ?, ., —.
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '#n/a', '#na', '-', '?', '.', '\u2014']);

/** Whether a trimmed cell stands for a missing value (empty, NA, N/A, NaN, null, None, #N/A, -, ?, ...). */
export function isMissingToken(cell: string): boolean {
  return cell.length <= 4 && MISSING_TOKENS.has(cell.length === 0 ? cell : cell.toLowerCase());
}

/** Removes surrounding whitespace without allocating when there is none (the common case). */
export function trimCell(cell: string): string {
  const n = cell.length;
  if (n === 0) return cell;
  const a = cell.charCodeAt(0);
  const b = cell.charCodeAt(n - 1);
  return a <= 32 || b <= 32 || a === 0xa0 || b === 0xa0 ? cell.trim() : cell;
}

const PLAIN_DOT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const PLAIN_COMMA = /^[+-]?(?:\d+(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?$/;
const GROUPED_COMMA = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/; // 1,234,567.8 with decimal '.'
const GROUPED_DOT = /^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$/; // 1.234.567,8 with decimal ','
const GROUPED_SPACE_DOT = /^[+-]?\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:\.\d+)?$/; // 1 234 567.8, 1'234.5
const GROUPED_SPACE_COMMA = /^[+-]?\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:,\d+)?$/; // 1 234 567,8
const SPACES = /[ \u00a0\u202f']/g;

/**
 * Parses a trimmed, non-missing cell as a number with the given decimal separator, or returns NaN when it is not
 * one. Thousands separators are accepted where they cannot be confused with the decimal separator: ',' (or spaces,
 * apostrophes) with decimal '.', and '.' (or spaces) with decimal ','.
 */
export function parseNumber(cell: string, decimal: DecimalSeparator): number {
  if (decimal === '.') {
    if (PLAIN_DOT.test(cell)) return Number(cell);
    if (GROUPED_COMMA.test(cell)) return Number(cell.replaceAll(',', ''));
    if (GROUPED_SPACE_DOT.test(cell)) return Number(cell.replace(SPACES, ''));
    return NaN;
  }
  if (PLAIN_COMMA.test(cell)) return Number(cell.replace(',', '.'));
  if (GROUPED_DOT.test(cell)) return Number(cell.replaceAll('.', '').replace(',', '.'));
  if (GROUPED_SPACE_COMMA.test(cell)) return Number(cell.replace(SPACES, '').replace(',', '.'));
  return NaN;
}

const INFINITE = /^[+-]?(?:inf|infinity|\u221e)$/i;

/**
 * Whether a trimmed cell spells an infinite number (`Infinity`, `-inf`, `∞`), as numpy, R and JavaScript write
 * them. Such a cell belongs to a numeric column but is no usable observation.
 */
export function isInfiniteToken(cell: string): boolean {
  return cell.length <= 9 && INFINITE.test(cell);
}

/** Whether a trimmed cell is a number with either decimal separator (for sniffing, before the separator is known). */
export function looksNumeric(cell: string): boolean {
  return !Number.isNaN(parseNumber(cell, '.')) || !Number.isNaN(parseNumber(cell, ','));
}

// A single separator followed by exactly three digits after a 1-3 digit integer part could be either a decimal or a
// thousands separator ("1.234"); every other use of '.' or ',' in a number decides the question.
const DOT_DECIMAL = /^[+-]?(?:\d*\.\d+(?:[eE][+-]?\d+)?|\d{1,3}(?:,\d{3})+\.\d+)$/;
const COMMA_DECIMAL = /^[+-]?(?:\d*,\d+(?:[eE][+-]?\d+)?|\d{1,3}(?:\.\d{3})+,\d+)$/;
const AMBIGUOUS = /^[+-]?[1-9]\d{0,2}[.,]\d{3}$/;

/** Counts of sample cells that prove one decimal separator or the other. */
export interface DecimalEvidence {
  dot: number;
  comma: number;
  /** Cells like `1,234` or `1.234` that fit both readings. */
  ambiguousComma: number;
  ambiguousDot: number;
}

/** Tallies which decimal separator the (trimmed) sample cells use. */
export function decimalEvidence(cells: Iterable<string>): DecimalEvidence {
  const evidence: DecimalEvidence = { dot: 0, comma: 0, ambiguousComma: 0, ambiguousDot: 0 };
  for (const cell of cells) {
    if (cell.length === 0 || cell.length > 40) continue;
    if (AMBIGUOUS.test(cell)) {
      if (cell.includes(',')) evidence.ambiguousComma++;
      else evidence.ambiguousDot++;
    } else if (DOT_DECIMAL.test(cell)) evidence.dot++;
    else if (COMMA_DECIMAL.test(cell)) evidence.comma++;
  }
  return evidence;
}

/**
 * Chooses the decimal separator from sample evidence. Unambiguous cells decide (`12,5` → ',', `12.5` → '.'); with
 * none, semicolon-separated files are taken to be European (',' decimal, '.' thousands, as Excel writes them in
 * those locales) and all others to use '.'.
 */
export function chooseDecimal(evidence: DecimalEvidence, delimiter: string): DecimalSeparator {
  if (evidence.comma > evidence.dot) return ',';
  if (evidence.dot > evidence.comma) return '.';
  return delimiter === ';' ? ',' : '.';
}

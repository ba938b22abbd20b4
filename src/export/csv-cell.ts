// One CSV cell as the exports write it: quoted when it holds a delimiter, quote or line break, and, for text
// taken from the user's file (series names, ids, column names), neutralised against formula injection as OWASP
// advises: a cell that starts with = + - @, a tab or a carriage return gets a leading single quote (and is
// quoted), so Excel, LibreOffice and Google Sheets show it as text instead of running it.

const FORMULA_START = /^[=+\-@\t\r]/;

/** A field quoted for CSV when it needs to be. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A text cell from the user's data, safe to open in a spreadsheet (OWASP CSV injection guidance). */
export function csvText(text: string): string {
  if (FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return csvField(text);
}

/** A forecast value as text: 7 significant digits (float32 precision), no trailing zeros; empty when missing. */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(7))) : '';
}

// The app's downloads: the library's CSV/JSON builders (src/export/downloads.ts) plus one browser helper that
// saves text as a file, so the file contents are unit tested without a DOM.
export * from '../export/downloads';
export { csvField, csvText, formatValue } from '../export/csv-cell';

/** Saves text as a file through a temporary object URL (stays on this machine). */
export function saveText(text: string, fileName: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// One way to quote an offending value from an untrusted file (config.json, a safetensors header) in an
// error message: readable, never throwing, and bounded in length whatever the file contains.

/** The value as short text for an error message (`missing` for undefined, at most 80 characters). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Deep nesting overflows JSON.stringify and String() alike: name the kind instead.
    text = Array.isArray(value) ? `an array of ${value.length}` : typeof value === 'object' && value !== null ? 'an object' : typeof value;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

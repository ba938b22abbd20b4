// Guards JSON texts from files and the network (config.json, a safetensors header, manifest.json) against
// nesting so deep that parsing, printing or walking them overflows the stack: a RangeError instead of the named
// error of the file at fault. One linear scan, before JSON.parse, that allocates nothing.

/** Deepest nesting any of our JSON files needs is 3 (a safetensors entry's shape); this leaves ample room. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether arrays and objects in `text` nest deeper than `limit` (brackets inside strings do not count). Assumes
 * nothing about validity: a malformed text gets its own error from JSON.parse afterwards.
 */
export function jsonNestsDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}

// Escaping for the HTML report. Trace data reaches the page only as JSON inside a
// <script type="application/json"> block (read with textContent, never parsed as HTML) and, for the
// title, as escaped text. A crafted trace must not be able to close that block or open a tag.
import { createHash } from 'node:crypto';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
};

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * JSON safe inside a script element: no `<` (so no `</script>` or `<!--`), no `>` or `&`, and no
 * U+2028/U+2029 (line terminators to older JavaScript parsers). JSON.parse reads it back unchanged,
 * since the escapes are JSON string escapes and these characters only occur inside strings.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The CSP source that allows exactly this inline script and no other. */
export function scriptHashSource(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

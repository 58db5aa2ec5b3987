/**
 * Putting untrusted text (addresses, map keys, attribute values from a plan) into a GitHub
 * comment without it turning into markup: HTML, emphasis, links, table pipes, @mentions, #refs.
 *
 * - In Markdown (paragraphs, table cells): a code span, whose content CommonMark takes
 *   literally, with a backtick fence longer than any run inside; in a table, `|` is written
 *   `\|` (GFM's rule for pipes inside cells, code spans included).
 * - In HTML blocks (`<details><summary>…`), where Markdown is not parsed: `<code>` + entities.
 * - Long or multi-line values: a fenced block, fence longer than any backtick run inside.
 * GitHub links no mention or reference inside code.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside HTML (a `<summary>`): entities for the five HTML specials, one line. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c).replace(/\r?\n/g, ' ');
}

/** `<code>…</code>` for HTML blocks, where Markdown is not parsed. */
export function htmlCode(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
}

/** A Markdown code span; `inTable` escapes pipes so the cell is not split. */
export function codeSpan(text: string, inTable = false): string {
  let body = text.replace(/\r?\n/g, ' ');
  if (inTable) body = body.replace(/\|/g, '\\|');
  const ticks = '`'.repeat(longestBacktickRun(body) + 1);
  // A span that starts or ends with a backtick needs a space to separate it from the fence;
  // CommonMark strips exactly one space on each side.
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') ? ' ' : '';
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** A fenced code block that its content cannot close early. */
export function fence(text: string, language = ''): string {
  const marks = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `${marks}${language}\n${text}\n${marks}`;
}

/** Plain prose that must not render as markup (a heading's title): every special as an entity. */
export function escapeProse(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[&<>"'\\`*_[\]()#@~|!:]/g, (c) => `&#${c.charCodeAt(0)};`);
}

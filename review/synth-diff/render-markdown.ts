/**
 * The PR-comment view of a synth diff: a summary line per environment; destroys and
 * replacements first, in a table with the reason; then a collapsible `<details>` per artifact
 * with attribute-level changes. Kept under GitHub's 65,536-character comment limit: whatever
 * does not fit is cut at an entry boundary with a visible note saying how much was left out.
 */
import { describeSummary, type ArtifactDiff, type DiffEntry, type SynthDiff } from './diff-model.ts';
import { formatValue, isMultiline, multilineChange } from './value-format.ts';
import { entryWord, type RenderLabels } from './render-text.ts';

/** GitHub rejects issue and PR comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** Maximum length in characters (default: GitHub's comment limit). */
  readonly maxLength?: number;
  /** The command that shows everything, named in the truncation note. */
  readonly fullCommand?: string;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;').replace(/\n/g, ' ');

const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const code = (s: string): string => `<code>${escapeHtml(s)}</code>`;

const ICON: Readonly<Record<string, string>> = { DESTROY: '🗑️', BREAKING: '💥', REPLACE: '♻️', ADD: '➕', UPDATE: '✏️', REMOVE: '➖' };

function label(e: DiffEntry): string {
  const word = entryWord(e);
  return `${ICON[word] ?? ''} ${word.toLowerCase()}`.trim();
}

const MAX_RISK_ROWS = 50;
const MAX_REASON = 300;
const MAX_ATTRIBUTES = 50;

function riskTable(diff: SynthDiff): string[] {
  const rows = diff.environments.flatMap((env) =>
    env.artifacts.flatMap((a) => a.entries.filter((e) => e.risk !== 'normal').map((e) => ({ env: env.env, artifact: a, entry: e }))),
  );
  if (rows.length === 0) return [];
  const out = [
    rows.some((r) => r.entry.risk === 'breaking') ? '### Breaking contract changes, destroys and replacements' : '### Destroys and replacements',
    '',
    '| environment | change | address | artifact | reason |',
    '|---|---|---|---|---|',
    ...rows
      .slice(0, MAX_RISK_ROWS)
      .map((r) => `| ${r.env} | ${label(r.entry)} | ${code(r.entry.key)} | ${code(r.artifact.file)} | ${escapeHtml(cut(r.entry.reason ?? '', MAX_REASON))} |`),
  ];
  if (rows.length > MAX_RISK_ROWS) out.push('', `…and ${rows.length - MAX_RISK_ROWS} more destroys and replacements, listed in the details below.`);
  out.push('');
  return out;
}

function entryBlock(e: DiffEntry): string {
  const lines = [`**${label(e)}** ${code(e.key)}${e.reason ? ` — ${escapeHtml(e.reason)}` : ''}`, ''];
  // A removal's attributes are all "→ (absent)": the key says it; --format json keeps them.
  if (e.change === 'remove') return lines.join('\n');
  const attrs = e.attributes.slice(0, MAX_ATTRIBUTES);
  const plain = attrs.filter((a) => !isMultiline(a.before) && !isMultiline(a.after));
  const multi = attrs.filter((a) => isMultiline(a.before) || isMultiline(a.after));
  if (plain.length > 0) {
    lines.push('| attribute | before | after |', '|---|---|---|');
    for (const a of plain) lines.push(`| ${code(a.path)} | ${code(formatValue(a.before))} | ${code(formatValue(a.after))} |`);
    lines.push('');
  }
  for (const a of multi) {
    // Four backticks: the content may hold a three-backtick fence of its own.
    lines.push(`${code(a.path)}`, '', '````diff', ...multilineChange(a.before, a.after), '````', '');
  }
  if (e.attributes.length > attrs.length) lines.push(`…${e.attributes.length - attrs.length} more attributes (see \`--format json\`).`, '');
  return lines.join('\n');
}

function detailsOpen(env: string, a: ArtifactDiff): string {
  const counts = describeCounts(a.entries);
  return `<details><summary><b>${escapeHtml(env)}</b> · ${a.kind} · ${code(a.file)} — ${counts}</summary>\n\n`;
}

function describeCounts(entries: readonly DiffEntry[]): string {
  const s = { adds: 0, updates: 0, replacements: 0, destroys: 0, breaking: 0 };
  for (const e of entries) {
    if (e.risk === 'destroy') s.destroys++;
    else if (e.risk === 'breaking') s.breaking++;
    else if (e.risk === 'replace') s.replacements++;
    else if (e.change === 'add') s.adds++;
    else s.updates++;
  }
  return describeSummary(s);
}

export function renderMarkdown(diff: SynthDiff, labels: RenderLabels, options: MarkdownOptions = {}): string {
  const limit = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const head = [`## Synth diff: ${code(labels.base)} → ${escapeHtml(labels.head)}`, ''];
  if (diff.environments.every((e) => e.artifacts.length === 0)) {
    return [...head, 'No changes in the synthesized output.'].join('\n');
  }
  for (const env of diff.environments) {
    const whole = env.change === 'add' ? ' (new environment)' : env.change === 'remove' ? ' (environment removed)' : '';
    const s = env.summary;
    const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
    head.push(
      `- **${escapeHtml(env.env)}**${whole}: ${s.breaking ? `${n(s.breaking, 'breaking contract change')} · ` : ''}${n(s.destroys, 'destroy')} · ${n(s.replacements, 'replacement')} · ${n(s.updates, 'update')} · ${n(s.adds, 'add')}`,
    );
  }
  head.push('', ...riskTable(diff));

  let text = head.join('\n');
  const total = diff.environments.reduce((n, e) => n + e.artifacts.reduce((m, a) => m + a.entries.length, 0), 0);
  let shown = 0;
  const note = (): string =>
    `\n> ⚠️ **Truncated** to fit a GitHub comment (${limit.toLocaleString('en-US')} characters): ${shown} of ${total} changes shown. ` +
    `Run ${options.fullCommand ? code(options.fullCommand) : 'the diff locally'} (or add \`--format json\`) for all of them.\n`;
  // Room kept for the closing tag and the truncation note.
  const budget = limit - 600;
  let truncated = false;

  outer: for (const env of diff.environments) {
    for (const artifact of env.artifacts) {
      const open = detailsOpen(env.env, artifact);
      if (text.length + open.length + 20 > budget) {
        truncated = true;
        break outer;
      }
      let section = open;
      for (const entry of artifact.entries) {
        const block = `${entryBlock(entry)}\n`;
        if (text.length + section.length + block.length + 20 > budget) {
          truncated = true;
          if (section !== open) text += `${section}</details>\n`;
          break outer;
        }
        section += block;
        shown++;
      }
      text += `${section}</details>\n\n`;
    }
  }
  if (truncated) text += note();
  return text.length <= limit ? text : `${text.slice(0, limit - 200)}\n\n> ⚠️ **Truncated** at ${limit} characters.\n`;
}

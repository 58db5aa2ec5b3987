/**
 * The review as GitHub-flavoured Markdown blocks: a lead (flags, summary, counts) and one
 * collapsible `<details>` per resource. Every piece of plan text goes through markdown-safe.ts;
 * values have been masked (display-value.ts) before they get here.
 */
import { describeActionReason } from './action-reasons.ts';
import { formatAttributePath, type AttributeChange } from './attribute-changes.ts';
import type { Block, DocumentRenderer, Omitted, PackLimits } from './comment-parts.ts';
import { formatInline, formatPretty, type DisplayValue } from './display-value.ts';
import { codeSpan, escapeHtml, escapeProse, fence, htmlCode } from './markdown-safe.ts';
import { ACTION_KINDS, isNoOp, reviewItems, SECTION_TITLES, type OutputEntry, type PlanReviewModel, type ResourceEntry } from './review-model.ts';
import { actionLabel, driftLabel, planSummary, valueColumns, type ValueColumns } from './review-words.ts';

/** Inline values longer than this go in a fenced block under the table. */
const LONG_VALUE = 100;
/** Addresses longer than this are cut in the compact form, so it always fits. */
const ADDRESS_CAP = 500;

interface Cell {
  readonly inline: string;
  readonly long?: string;
}

function cell(value: DisplayValue | undefined): Cell {
  if (value === undefined) return { inline: '—' };
  const text = formatInline(value);
  if (text.length <= LONG_VALUE) return { inline: codeSpan(text, true) };
  return { inline: '_(long value, below)_', long: formatPretty(value) };
}

function valueTable(rows: ReadonlyArray<{ name: string; extra?: string; before?: DisplayValue; after?: DisplayValue }>, columns: ValueColumns, nameHeader: string): string {
  const heads = columns === 'both' ? ['before', 'after'] : [columns === 'after' ? 'value' : 'value (before)'];
  const lines = [`| ${nameHeader} | ${heads.join(' | ')} |`, `|---|${heads.map(() => '---').join('|')}|`];
  const longs: string[] = [];
  for (const row of rows) {
    const sides = columns === 'both' ? [row.before, row.after] : [columns === 'after' ? row.after : row.before];
    const cells = sides.map(cell);
    const label = `${codeSpan(row.name, true)}${row.extra ? ` ${row.extra}` : ''}`;
    lines.push(`| ${label} | ${cells.map((c) => c.inline).join(' | ')} |`);
    cells.forEach((c, i) => {
      if (c.long === undefined) return;
      const which = columns === 'both' ? (i === 0 ? ' before' : ' after') : '';
      longs.push(`${codeSpan(row.name)}${which}:\n\n${fence(c.long, 'hcl')}`);
    });
  }
  return [lines.join('\n'), ...longs].join('\n\n');
}

function attributeRows(attributes: readonly AttributeChange[]): Array<{ name: string; extra?: string; before?: DisplayValue; after?: DisplayValue }> {
  return attributes.map((a) => ({
    name: formatAttributePath(a.path) || '(whole object)',
    ...(a.forcesReplacement ? { extra: '**forces replacement**' } : {}),
    ...(a.before ? { before: a.before } : {}),
    ...(a.after ? { after: a.after } : {}),
  }));
}

function summaryLine(e: ResourceEntry, drift: boolean): string {
  const symbol = drift ? '!' : ACTION_KINDS[e.kind].symbol;
  const label = drift ? driftLabel(e) : actionLabel(e.kind, e.actions);
  const forced = e.replacePaths.length > 0 && !drift ? ` · forced by ${e.replacePaths.map((p) => htmlCode(formatAttributePath(p))).join(', ')}` : '';
  const moved = e.previousAddress ? ` · moved from ${htmlCode(e.previousAddress)}` : '';
  return `${symbol.trim() === '' ? '' : `${htmlCode(symbol)} `}${htmlCode(e.address)} — <b>${escapeHtml(label)}</b>${forced}${moved}`;
}

function resourceBlock(e: ResourceEntry, drift: boolean): Block {
  const notes: string[] = [];
  if (e.actionReason) {
    const words = describeActionReason(e.actionReason);
    notes.push(`**Why:** ${words ? `${words} ` : ''}(${codeSpan(e.actionReason)})`);
  }
  for (const note of e.contractNotes) notes.push(`**Contract:** ${escapeHtml(note)}`);
  if (e.importingId !== undefined) notes.push(`**Importing** the existing object ${codeSpan(e.importingId)}.`);
  if (e.deposed !== undefined) notes.push(`**Deposed object** ${codeSpan(e.deposed)} (left over from an earlier create-before-destroy).`);
  const columns = drift ? 'both' : valueColumns(e.kind);
  const body =
    e.attributes.length > 0
      ? valueTable(attributeRows(e.attributes), columns, 'attribute')
      : e.kind === 'no-op'
        ? ''
        : '_No attribute changes shown._';
  const summary = summaryLine(e, drift);
  const inner = [...notes, body].filter((s) => s !== '').join('\n\n');
  const compactAddress = e.address.length > ADDRESS_CAP ? { ...e, address: `${e.address.slice(0, ADDRESS_CAP)}…` } : e;
  return {
    section: SECTION_TITLES[drift ? 'drift' : e.section],
    // A one-line HTML block: Markdown is not parsed inside it, so the summary is all HTML.
    text: `<details><summary>${summary}</summary>\n\n${inner === '' ? '_Nothing else changes._' : inner}\n\n</details>`,
    compact: `<p>${summaryLine(compactAddress, drift)} <i>(details left out: too large for one comment)</i></p>`,
    counts: drift ? 'drift' : 'resource',
  };
}

function outputsBlock(outputs: readonly OutputEntry[]): Block {
  const rows = outputs.map((o) => ({
    name: o.name,
    extra: `${codeSpan(ACTION_KINDS[o.kind].symbol, true)} ${o.kind === 'other' ? `unrecognized action: ${codeSpan(o.actions.join(', '), true)}` : ACTION_KINDS[o.kind].label}`,
    ...(o.before ? { before: o.before } : {}),
    ...(o.after ? { after: o.after } : {}),
  }));
  return {
    section: SECTION_TITLES.outputs,
    text: valueTable(rows, 'both', 'output'),
    compact: outputs.map((o) => `- ${codeSpan(o.name.slice(0, ADDRESS_CAP))}: ${o.kind === 'other' ? `unrecognized action: ${codeSpan(o.actions.join(', '))}` : ACTION_KINDS[o.kind].label}`).join('\n'),
    counts: 'output',
  };
}

function leadBlocks(model: PlanReviewModel): Block[] {
  const lead: string[] = [];
  if (model.errored) {
    lead.push('> [!CAUTION]\n> **Terraform reported errors while planning.** This plan is incomplete and cannot be applied: read the errors in the workflow log. The changes below are only those planned before the error.');
  } else if (!model.applyable) {
    lead.push('> [!WARNING]\n> **This plan cannot be applied** (Terraform marked it not applyable).');
  }
  if (!model.complete && !model.errored) {
    lead.push('> [!NOTE]\n> **This plan is incomplete:** some changes were deferred and need another plan and apply after this one.');
  }
  if (isNoOp(model)) {
    lead.push('**No changes.** The infrastructure matches the configuration: applying this plan changes nothing.');
  } else {
    lead.push(`**Plan:** ${planSummary(model)}.`);
    const rows = model.counts
      .filter((c) => c.kind !== 'no-op')
      .map((c) => `| ${codeSpan(ACTION_KINDS[c.kind].symbol, true)} | ${c.kind === 'other' ? `unrecognized action: ${codeSpan(c.actions, true)}` : ACTION_KINDS[c.kind].label} | ${c.count} |`);
    if (rows.length > 0) lead.push(['| | action | resources |', '|---|---|--:|', ...rows].join('\n'));
  }
  if (model.drift.length > 0) {
    lead.push(`**Drift:** ${model.drift.length} object${model.drift.length === 1 ? '' : 's'} changed outside Terraform since the last apply (below).`);
  }
  if (model.terraformVersion) lead.push(`<sub>Terraform ${escapeHtml(model.terraformVersion)}</sub>`);
  return lead.map((text) => ({ section: undefined, text }));
}

export function markdownBlocks(model: PlanReviewModel): Block[] {
  return [...leadBlocks(model), ...reviewItems(model).map((i) => (i.kind === 'resource' ? resourceBlock(i.entry, i.drift) : outputsBlock(i.outputs)))];
}

function omittedWords(omitted: Omitted): string {
  const parts = [
    omitted.resource > 0 ? `${omitted.resource.toLocaleString('en-US')} resource change${omitted.resource === 1 ? '' : 's'}` : '',
    omitted.drift > 0 ? `${omitted.drift.toLocaleString('en-US')} drifted object${omitted.drift === 1 ? '' : 's'}` : '',
    omitted.output > 0 ? 'the output changes' : '',
  ].filter((p) => p !== '');
  return parts.join(', ');
}

export function markdownRenderer(title: string | undefined): DocumentRenderer {
  return {
    header: (part, parts) =>
      `### Terraform plan${title ? ` · ${escapeProse(title)}` : ''}${parts > 1 ? ` · part ${part} of ${parts}` : ''}`,
    sectionHeading: (name, continued) => `#### ${name}${continued ? ' (continued)' : ''}`, // our own words
    truncationNote: (omitted: Omitted, shortened: number, limits: PackLimits) => {
      const lines: string[] = [];
      const left = omittedWords(omitted);
      if (left !== '') {
        lines.push(
          `**Truncated:** ${left} not shown: a comment holds at most ${limits.maxChars.toLocaleString('en-US')} characters and this review at most ${limits.maxComments} comments. The counts above are complete; run \`terraform show <planfile>\` for the full plan.`,
        );
      }
      if (shortened > 0) lines.push(`${shortened.toLocaleString('en-US')} block${shortened === 1 ? '' : 's'} shown without details: too large for one comment.`);
      return `> [!WARNING]\n> ${lines.join('\n> ')}`;
    },
  };
}

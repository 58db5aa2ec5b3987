/** The review for a terminal: the same blocks as the Markdown view, as plain indented text. */
import { describeActionReason } from './action-reasons.ts';
import { formatAttributePath } from './attribute-changes.ts';
import type { Block, DocumentRenderer, Omitted, PackLimits } from './comment-parts.ts';
import { formatInline, formatPretty, type DisplayValue } from './display-value.ts';
import { ACTION_KINDS, isNoOp, reviewItems, SECTION_TITLES, type OutputEntry, type PlanReviewModel, type ResourceEntry } from './review-model.ts';
import { actionLabel, driftLabel, planSummary, valueColumns, type ValueColumns } from './review-words.ts';

const LONG_VALUE = 100;
const INDENT = '    ';

function show(value: DisplayValue | undefined, indent: string): string {
  if (value === undefined) return '(none)';
  const inline = formatInline(value);
  return inline.length <= LONG_VALUE ? inline : formatPretty(value, indent);
}

function valueLine(name: string, before: DisplayValue | undefined, after: DisplayValue | undefined, columns: ValueColumns, note = ''): string {
  const suffix = note ? `   # ${note}` : '';
  if (columns === 'both') return `${INDENT}${name}: ${show(before, INDENT)} -> ${show(after, INDENT)}${suffix}`;
  return `${INDENT}${name} = ${show(columns === 'after' ? after : before, INDENT)}${suffix}`;
}

function resourceBlock(e: ResourceEntry, drift: boolean): Block {
  const symbol = drift ? '!' : ACTION_KINDS[e.kind].symbol;
  const label = drift ? driftLabel(e) : actionLabel(e.kind, e.actions);
  const head = `${symbol} ${e.address}: ${label}${e.previousAddress ? ` (moved from ${e.previousAddress})` : ''}`;
  const lines = [head];
  if (e.actionReason) {
    const words = describeActionReason(e.actionReason);
    lines.push(`${INDENT}why: ${words ? `${words} ` : ''}(${e.actionReason})`);
  }
  if (e.replacePaths.length > 0 && !drift) lines.push(`${INDENT}forced by: ${e.replacePaths.map(formatAttributePath).join(', ')}`);
  for (const note of e.contractNotes) lines.push(`${INDENT}contract: ${note}`);
  if (e.importingId !== undefined) lines.push(`${INDENT}importing: ${e.importingId}`);
  if (e.deposed !== undefined) lines.push(`${INDENT}deposed object: ${e.deposed}`);
  const columns = drift ? 'both' : valueColumns(e.kind);
  for (const a of e.attributes) {
    lines.push(valueLine(formatAttributePath(a.path) || '(whole object)', a.before, a.after, columns, a.forcesReplacement ? 'forces replacement' : ''));
  }
  return {
    section: SECTION_TITLES[drift ? 'drift' : e.section],
    text: lines.join('\n'),
    compact: `${head.slice(0, 600)}\n${INDENT}(details left out: too large for one part)`,
    counts: drift ? 'drift' : 'resource',
  };
}

function outputsBlock(outputs: readonly OutputEntry[]): Block {
  return {
    section: SECTION_TITLES.outputs,
    text: outputs.map((o) => `${ACTION_KINDS[o.kind].symbol} ${o.name}: ${actionLabel(o.kind, o.actions)}\n${valueLine('value', o.before, o.after, 'both')}`).join('\n'),
    compact: outputs.map((o) => `${ACTION_KINDS[o.kind].symbol} ${o.name.slice(0, 200)}: ${actionLabel(o.kind, o.actions)}`).join('\n'),
    counts: 'output',
  };
}

function leadBlocks(model: PlanReviewModel): Block[] {
  const lead: string[] = [];
  if (model.errored) lead.push('ERRORED: Terraform reported errors while planning; this plan is incomplete and cannot be applied.');
  else if (!model.applyable) lead.push('NOT APPLYABLE: Terraform marked this plan as not applyable.');
  if (!model.complete && !model.errored) lead.push('INCOMPLETE: some changes were deferred to a later plan and apply.');
  if (isNoOp(model)) {
    lead.push('No changes. The infrastructure matches the configuration: applying this plan changes nothing.');
  } else {
    lead.push(`Plan: ${planSummary(model)}.`);
    const rows = model.counts.filter((c) => c.kind !== 'no-op');
    const labels = rows.map((c) => (c.kind === 'other' ? `unrecognized action: ${c.actions}` : ACTION_KINDS[c.kind].label));
    const width = Math.max(...labels.map((l) => l.length), 0);
    if (rows.length > 0) lead.push(rows.map((c, i) => `  ${ACTION_KINDS[c.kind].symbol.padEnd(4)} ${labels[i]!.padEnd(width)}  ${c.count}`).join('\n'));
  }
  if (model.drift.length > 0) lead.push(`Drift: ${model.drift.length} object(s) changed outside Terraform since the last apply (below).`);
  if (model.terraformVersion) lead.push(`Terraform ${model.terraformVersion}`);
  return lead.map((text) => ({ section: undefined, text }));
}

export function textBlocks(model: PlanReviewModel): Block[] {
  return [...leadBlocks(model), ...reviewItems(model).map((i) => (i.kind === 'resource' ? resourceBlock(i.entry, i.drift) : outputsBlock(i.outputs)))];
}

export function textRenderer(title: string | undefined): DocumentRenderer {
  return {
    header: (part, parts) => `Terraform plan${title ? ` · ${title}` : ''}${parts > 1 ? ` · part ${part} of ${parts}` : ''}`,
    sectionHeading: (name, continued) => `== ${name}${continued ? ' (continued)' : ''} ==`,
    truncationNote: (omitted: Omitted, shortened: number, limits: PackLimits) => {
      const left = [
        omitted.resource > 0 ? `${omitted.resource} resource change(s)` : '',
        omitted.drift > 0 ? `${omitted.drift} drifted object(s)` : '',
        omitted.output > 0 ? 'the output changes' : '',
      ].filter((p) => p !== '');
      const lines: string[] = [];
      if (left.length > 0) lines.push(`TRUNCATED: ${left.join(', ')} not shown (at most ${limits.maxChars} characters per part, ${limits.maxComments} parts). The counts above are complete; run terraform show <planfile> for the full plan.`);
      if (shortened > 0) lines.push(`${shortened} block(s) shown without details: too large for one part.`);
      return lines.join('\n');
    },
  };
}

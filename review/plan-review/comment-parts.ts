/**
 * Packs a rendered review into comments that each fit a size limit (GitHub: 65,536 characters
 * per comment). Blocks are never cut in half: a block that does not fit in the current comment
 * starts the next one (its section heading repeated, "continued"); a block too big for any
 * comment is replaced by its compact form; past the comment limit, the rest is left out and the
 * last comment says so, with counts. Every comment says "part i of n" when there is more than one.
 */

export type Counted = 'resource' | 'drift' | 'output';

export interface Block {
  /** Section title; undefined for the lead (summary, counts) before the first section. */
  readonly section: string | undefined;
  readonly text: string;
  /** A shorter stand-in for when `text` alone does not fit in one comment. */
  readonly compact?: string;
  /** What the block reports, for the "left out" note. */
  readonly counts?: Counted;
}

export type Omitted = Readonly<Record<Counted, number>>;

export interface DocumentRenderer {
  header(part: number, parts: number): string;
  sectionHeading(title: string, continued: boolean): string;
  /** Said at the end of the last comment when blocks were left out (or shortened). */
  truncationNote(omitted: Omitted, shortened: number, limits: PackLimits): string;
}

export interface PackLimits {
  readonly maxChars: number;
  readonly maxComments: number;
}

const SEP = '\n\n';

/** A body with nothing to say must still be a valid comment: one part, header only. */
export function packComments(blocks: readonly Block[], renderer: DocumentRenderer, limits: PackLimits): string[] {
  const headerReserve = renderer.header(limits.maxComments * 10, limits.maxComments * 10).length + SEP.length;
  const noteReserve = renderer.truncationNote({ resource: 1e9, drift: 1e9, output: 1e9 }, 1e9, limits).length + SEP.length;
  const budget = limits.maxChars - headerReserve - noteReserve;
  if (budget < 200) throw new Error(`maxChars ${limits.maxChars} leaves no room for content (need at least ${limits.maxChars - budget + 200})`);

  const parts: string[][] = [[]];
  let used = 0;
  let sectionInPart: string | undefined;
  const started = new Set<string>();
  const omitted: Record<Counted, number> = { resource: 0, drift: 0, output: 0 };
  let shortened = 0;
  let full = false;

  const piecesFor = (block: Block, text: string): string[] => {
    const pieces: string[] = [];
    if (block.section !== undefined && block.section !== sectionInPart) {
      pieces.push(renderer.sectionHeading(block.section, started.has(block.section)));
    }
    pieces.push(text);
    return pieces;
  };
  const cost = (pieces: readonly string[]): number => pieces.reduce((n, p) => n + p.length + SEP.length, 0);

  for (const block of blocks) {
    if (full) {
      if (block.counts) omitted[block.counts]++;
      continue;
    }
    // Too big for any comment on its own: its compact form, wherever it lands.
    let text = block.text;
    const alone = (t: string): number => cost([...(block.section !== undefined ? [renderer.sectionHeading(block.section, true)] : []), t]);
    if (alone(text) > budget) {
      shortened++;
      text = block.compact ?? block.text;
      if (alone(text) > budget) text = `${text.slice(0, Math.max(0, budget - alone('') - 1))}…`;
    }
    let pieces = piecesFor(block, text);
    if (cost(pieces) > budget - used) {
      if (parts.length >= limits.maxComments) {
        full = true;
        if (block.counts) omitted[block.counts]++;
        continue;
      }
      parts.push([]);
      used = 0;
      sectionInPart = undefined;
      pieces = piecesFor(block, text);
    }
    parts[parts.length - 1]!.push(...pieces);
    used += cost(pieces);
    if (block.section !== undefined) {
      sectionInPart = block.section;
      started.add(block.section);
    }
  }

  const total = parts.length;
  const anyOmitted = omitted.resource + omitted.drift + omitted.output > 0;
  return parts.map((body, i) => {
    const pieces = [renderer.header(i + 1, total), ...body];
    if (i === total - 1 && (anyOmitted || shortened > 0)) pieces.push(renderer.truncationNote(omitted, shortened, limits));
    return `${pieces.join(SEP)}\n`;
  });
}

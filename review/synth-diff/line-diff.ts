/**
 * A line diff for free text (nginx.conf when it cannot be parsed, any other file): hunks of
 * removed and added lines with their line numbers, no context. Common prefix and suffix are
 * trimmed first; the middle is aligned by longest common subsequence, or, when it is too large
 * for that (over ~4M line pairs), reported as one replaced block.
 */

export interface Hunk {
  /** 1-based first line in the old text and the count of its lines in the hunk (0: nothing removed). */
  readonly beforeStart: number;
  readonly before: readonly string[];
  readonly afterStart: number;
  readonly after: readonly string[];
}

const MAX_CELLS = 4_000_000;

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Operations aligning `a` to `b`: '=' keep, '-' remove from a, '+' add from b. */
function align(a: readonly string[], b: readonly string[]): ('=' | '-' | '+')[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) return [...Array<'-'>(n).fill('-'), ...Array<'+'>(m).fill('+')];
  // lcs[i][j]: LCS length of a[i..] and b[j..], one flat array.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
    }
  }
  const ops: ('=' | '-' | '+')[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push('=');
      i++;
      j++;
    } else if ((lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0)) {
      ops.push('-');
      i++;
    } else {
      ops.push('+');
      j++;
    }
  }
  while (i++ < n) ops.push('-');
  while (j++ < m) ops.push('+');
  return ops;
}

export function lineDiff(beforeText: string, afterText: string): Hunk[] {
  const a = splitLines(beforeText);
  const b = splitLines(afterText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops = align(a.slice(start, endA), b.slice(start, endB));
  const hunks: Hunk[] = [];
  let i = start;
  let j = start;
  let current: { beforeStart: number; before: string[]; afterStart: number; after: string[] } | undefined;
  const flush = (): void => {
    if (current) hunks.push(current);
    current = undefined;
  };
  for (const op of ops) {
    if (op === '=') {
      flush();
      i++;
      j++;
      continue;
    }
    current ??= { beforeStart: i + 1, before: [], afterStart: j + 1, after: [] };
    if (op === '-') current.before.push(a[i++] ?? '');
    else current.after.push(b[j++] ?? '');
  }
  flush();
  return hunks;
}

/** `lines -12,3 +12,4` (unified-diff style numbers, no context). */
export function hunkLabel(h: Hunk): string {
  return `lines -${h.beforeStart},${h.before.length} +${h.afterStart},${h.after.length}`;
}

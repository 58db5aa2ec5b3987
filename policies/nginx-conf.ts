/**
 * nginx.conf text → a tree of directives, for the edge rules (policies/rules/edge-*.ts).
 *
 * Tokenizes as nginx itself does (src/core/ngx_conf_file.c, `ngx_conf_read_token`): a word ends
 * at whitespace, `;` or `{` (but `${` stays in a variable name, and `}` inside a word is part of
 * it); `'…'` and `"…"` quote at the start of a word and must be followed by whitespace, `;`, `{`
 * or `)`; a backslash escapes the next character (`\"`, `\'`, `\\`, `\t`, `\r`, `\n` are
 * unescaped, any other pair is kept as written, so regexes survive); `#` starts a comment only
 * where a word could start. `include` is not followed: the rendered configs are one file.
 * Broken text fails with the line nginx would name.
 */

export interface NginxDirective {
  readonly name: string;
  /** Arguments, unquoted and unescaped. */
  readonly args: readonly string[];
  /** The directives inside `{ … }`, for block directives (`http`, `server`, `location`, `map`). */
  readonly block?: readonly NginxDirective[];
  /** 1-based line of the directive's name. */
  readonly line: number;
}

export class NginxSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'NginxSyntaxError';
  }
}

type Token =
  | { readonly kind: 'word'; readonly value: string; readonly line: number }
  | { readonly kind: ';' | '{' | '}'; readonly line: number };

const SPACE = new Set([' ', '\t', '\r', '\n']);
const UNESCAPED: Readonly<Record<string, string>> = { '"': '"', "'": "'", '\\': '\\', t: '\t', r: '\r', n: '\n' };

function* tokens(text: string, file: string): Generator<Token> {
  let line = 1;
  let i = 0;
  const fail = (at: number, problem: string): never => {
    throw new NginxSyntaxError(file, at, problem);
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (SPACE.has(ch)) {
      if (ch === '\n') line++;
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === ';' || ch === '{' || ch === '}') {
      yield { kind: ch, line };
      i++;
      continue;
    }
    const start = line;
    const quote = ch === '"' || ch === "'" ? ch : undefined;
    if (quote) i++;
    let value = '';
    let variable = false;
    for (;;) {
      if (i >= text.length) {
        if (quote) fail(start, `unterminated ${quote === '"' ? 'double' : 'single'}-quoted string (opened here)`);
        break;
      }
      const c = text[i] as string;
      if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined) fail(line, 'unexpected end of file after "\\"');
        const unescaped = UNESCAPED[next as string];
        value += unescaped ?? `\\${next}`;
        if (next === '\n') line++;
        i += 2;
        variable = false;
        continue;
      }
      if (quote) {
        i++;
        if (c === '\n') line++;
        if (c === quote) {
          const after = text[i];
          if (after !== undefined && !SPACE.has(after) && after !== ';' && after !== '{' && after !== ')') {
            fail(line, `unexpected "${after}" after a quoted string`);
          }
          break;
        }
        value += c;
        continue;
      }
      if (c === '{' && variable) {
        value += c;
        i++;
        variable = false;
        continue;
      }
      if (SPACE.has(c) || c === ';' || c === '{') break;
      value += c;
      variable = c === '$';
      i++;
    }
    yield { kind: 'word', value, line: start };
  }
}

/** Parses nginx.conf text; `file` names it in errors (`dist/prod/edge/nginx.conf:12: …`). */
export function parseNginxConf(text: string, file = 'nginx.conf'): NginxDirective[] {
  interface Open {
    readonly name: string;
    readonly args: readonly string[];
    readonly line: number;
    readonly body: NginxDirective[];
  }
  const root: NginxDirective[] = [];
  const open: Open[] = [];
  let words: { value: string; line: number }[] = [];
  const body = (): NginxDirective[] => open.at(-1)?.body ?? root;
  for (const t of tokens(text, file)) {
    if (t.kind === 'word') {
      words.push({ value: t.value, line: t.line });
      continue;
    }
    const [head, ...args] = words;
    if (t.kind === '}') {
      if (head) throw new NginxSyntaxError(file, t.line, `unexpected "}": "${head.value}" is not terminated by ";"`);
      const closed = open.pop();
      if (!closed) throw new NginxSyntaxError(file, t.line, 'unexpected "}": no block is open');
      body().push({ name: closed.name, args: closed.args, block: closed.body, line: closed.line });
      continue;
    }
    if (!head) throw new NginxSyntaxError(file, t.line, `unexpected "${t.kind}": no directive name before it`);
    const values = args.map((a) => a.value);
    if (t.kind === ';') body().push({ name: head.value, args: values, line: head.line });
    else open.push({ name: head.value, args: values, line: head.line, body: [] });
    words = [];
  }
  const pending = words[0];
  if (pending) throw new NginxSyntaxError(file, pending.line, `unexpected end of file: "${pending.value}" is not terminated by ";"`);
  const unclosed = open.at(-1);
  if (unclosed) throw new NginxSyntaxError(file, unclosed.line, `unexpected end of file: "${unclosed.name}" block opened here is not closed by "}"`);
  return root;
}

/**
 * Directive lookup with nginx's inheritance: `scopes` run from the innermost block outwards
 * (location, server, http). A simple directive is taken from the innermost block that sets it;
 * array-like directives (`proxy_set_header`, `grpc_set_header`, `add_header`) are inherited only
 * by a block that sets none of its own, so all of them come from one block.
 */
export class NginxScope {
  constructor(readonly blocks: readonly (readonly NginxDirective[])[]) {}

  /** The effective directive named `name`, or undefined when no enclosing block sets it (nginx's default applies). */
  directive(name: string): NginxDirective | undefined {
    for (const b of this.blocks) {
      const found = b.findLast((d) => d.name === name);
      if (found) return found;
    }
    return undefined;
  }

  /** Every occurrence from the innermost block that has any (array-like directives). */
  all(name: string): readonly NginxDirective[] {
    for (const b of this.blocks) {
      const found = b.filter((d) => d.name === name);
      if (found.length > 0) return found;
    }
    return [];
  }

  /** Directives set in the innermost block itself (not inherited). */
  own(name: string): readonly NginxDirective[] {
    return (this.blocks[0] ?? []).filter((d) => d.name === name);
  }

  /** A scope for a block nested in this one. */
  inner(block: readonly NginxDirective[]): NginxScope {
    return new NginxScope([block, ...this.blocks]);
  }
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_592_000_000,
  y: 31_536_000_000,
};

/**
 * An nginx time interval in milliseconds (`30s`, `1500ms`, `1m`, `1h 30m`, a bare number is
 * seconds), or undefined when the text is not one. Units run from most to least significant.
 */
export function parseNginxDuration(text: string): number | undefined {
  const compact = text.trim();
  if (compact === '') return undefined;
  const order = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'];
  let total = 0;
  let last = -1;
  const re = /(\d+)\s*(ms|[yMwdhms])?\s*/gy;
  let matched = 0;
  for (let m = re.exec(compact); m !== null && m[0] !== ''; m = re.exec(compact)) {
    const unit = m[2] ?? 's';
    const rank = order.indexOf(unit);
    if (rank <= last) return undefined;
    last = rank;
    total += Number(m[1]) * (UNIT_MS[unit] ?? 0);
    matched = re.lastIndex;
    if (m[2] === undefined) break; // a bare number ends the value ("1m 30" is 90 s)
  }
  return matched === compact.length ? total : undefined;
}

/** Milliseconds as nginx would write them: `620s`, `1500ms`. */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * A small reader for nginx configuration syntax: directives (`name args…;`) and blocks
 * (`name args… { … }`), comments dropped, quoted strings and `${var}` kept as one word. It is
 * enough to key nginx.conf by block (`http > server … > location /v1/orders`) for the diff;
 * anything it cannot read is an error, and the diff falls back to a line diff.
 */

export interface NginxDirective {
  readonly name: string;
  readonly args: readonly string[];
  /** Present for blocks (`server { … }`), absent for simple directives. */
  readonly block?: readonly NginxDirective[];
  readonly line: number;
}

type Token = { readonly kind: 'word' | '{' | '}' | ';'; readonly text: string; readonly line: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push({ kind: c, text: c, line });
      i++;
    } else {
      const startLine = line;
      let word = '';
      while (i < text.length) {
        const ch = text[i] ?? '';
        if (ch === '"' || ch === "'") {
          const end = findQuoteEnd(text, i);
          if (end < 0) throw new Error(`line ${startLine}: unterminated quoted string`);
          const quoted = text.slice(i, end + 1);
          line += quoted.split('\n').length - 1;
          word += quoted;
          i = end + 1;
        } else if (ch === '$' && text[i + 1] === '{') {
          const end = text.indexOf('}', i);
          if (end < 0) throw new Error(`line ${startLine}: unterminated \${variable}`);
          word += text.slice(i, end + 1);
          i = end + 1;
        } else if (/\s/.test(ch) || ch === '{' || ch === '}' || ch === ';') {
          break;
        } else {
          word += ch;
          i++;
        }
      }
      tokens.push({ kind: 'word', text: word, line: startLine });
    }
  }
  return tokens;
}

function findQuoteEnd(text: string, start: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === q) return i;
  }
  return -1;
}

export function parseNginxConfig(text: string): NginxDirective[] {
  const tokens = tokenize(text);
  let pos = 0;
  const parseBlock = (nested: boolean, openedAt: number): NginxDirective[] => {
    const out: NginxDirective[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos] as Token;
      if (t.kind === '}') {
        if (!nested) throw new Error(`line ${t.line}: unexpected "}"`);
        pos++;
        return out;
      }
      if (t.kind !== 'word') throw new Error(`line ${t.line}: unexpected "${t.text}"`);
      const name = t.text;
      const args: string[] = [];
      pos++;
      for (;;) {
        const next = tokens[pos];
        if (!next) throw new Error(`line ${t.line}: directive "${name}" has no ";" or "{"`);
        pos++;
        if (next.kind === 'word') args.push(next.text);
        else if (next.kind === ';') {
          out.push({ name, args, line: t.line });
          break;
        } else if (next.kind === '{') {
          out.push({ name, args, block: parseBlock(true, next.line), line: t.line });
          break;
        } else throw new Error(`line ${next.line}: unexpected "}" in directive "${name}"`);
      }
    }
    if (nested) throw new Error(`line ${openedAt}: block is never closed`);
    return out;
  };
  return parseBlock(false, 0);
}

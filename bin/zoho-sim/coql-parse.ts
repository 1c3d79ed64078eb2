/**
 * The COQL subset the connector needs: `SELECT cols FROM Module [WHERE …] [ORDER BY col [ASC|DESC]]
 * [LIMIT n [OFFSET m] | LIMIT m, n]`, conditions with = != <> < <= > >=, [NOT] IN, [NOT] LIKE,
 * BETWEEN … AND …, IS [NOT] NULL, AND, OR and parentheses. Columns may be dotted (`Owner.email`).
 */
import { fail } from './errors';

export type Literal = string | number | boolean | null;

export type Condition =
  | { kind: 'and'; left: Condition; right: Condition }
  | { kind: 'or'; left: Condition; right: Condition }
  | { kind: 'compare'; column: string; op: string; value: Literal }
  | { kind: 'in'; column: string; negate: boolean; values: Literal[] }
  | { kind: 'like'; column: string; negate: boolean; pattern: string }
  | { kind: 'between'; column: string; low: Literal; high: Literal }
  | { kind: 'null'; column: string; negate: boolean };

export interface Query {
  columns: string[];
  module: string;
  where: Condition | null;
  order: Array<{ column: string; desc: boolean }>;
  limit: number | null;
  offset: number;
}

type Token = { t: 'word' | 'string' | 'number' | 'op' | 'punct'; v: string };

const syntax = (clause: string, near: string) => fail(400, 'SYNTAX_ERROR', 'error occured while parsing the query', { clause, near });

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) i++;
    else if (ch === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw syntax('where', text.slice(-20));
        if (text[i] === '\\' && i + 1 < text.length) (v += text[i + 1]), (i += 2);
        else if (text[i] === "'" && text[i + 1] === "'") (v += "'"), (i += 2);
        else if (text[i] === "'") break;
        else v += text[i++];
      }
      i++;
      out.push({ t: 'string', v });
    } else if (/\d/.test(ch) || (ch === '-' && /\d/.test(text[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i))!;
      out.push({ t: 'number', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(ch)) {
      const m = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*/.exec(text.slice(i))!;
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    } else if (/[<>=!]/.test(ch)) {
      const m = /^(<>|!=|<=|>=|=|<|>)/.exec(text.slice(i));
      if (!m) throw syntax('where', text.slice(i, i + 20));
      out.push({ t: 'op', v: m[0] });
      i += m[0].length;
    } else if (ch === '(' || ch === ')' || ch === ',') out.push({ t: 'punct', v: text[i++]! });
    else throw syntax('query', text.slice(i, i + 20));
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.t === 'word' && t.v.toLowerCase() === w;
  }

  private expectWord(w: string, clause: string): void {
    if (!this.isWord(w)) throw syntax(clause, this.peek()?.v ?? '');
    this.i++;
  }

  private punct(p: string): boolean {
    if (this.peek()?.t === 'punct' && this.peek()!.v === p) {
      this.i++;
      return true;
    }
    return false;
  }

  private column(clause: string): string {
    const t = this.peek();
    if (t?.t !== 'word') throw syntax(clause, t?.v ?? '');
    this.i++;
    return t.v;
  }

  private literal(clause: string): Literal {
    const t = this.tokens[this.i++];
    if (!t) throw syntax(clause, '');
    if (t.t === 'string') return t.v;
    if (t.t === 'number') return Number(t.v);
    if (t.t === 'word' && ['true', 'false'].includes(t.v.toLowerCase())) return t.v.toLowerCase() === 'true';
    if (t.t === 'word' && t.v.toLowerCase() === 'null') return null;
    throw syntax(clause, t.v);
  }

  query(): Query {
    this.expectWord('select', 'select');
    const columns = [this.column('select')];
    while (this.punct(',')) columns.push(this.column('select'));
    this.expectWord('from', 'from');
    const module = this.column('from');
    let where: Condition | null = null;
    if (this.isWord('where')) {
      this.i++;
      where = this.or();
    }
    const order: Query['order'] = [];
    if (this.isWord('order')) {
      this.i++;
      this.expectWord('by', 'order by');
      do {
        const column = this.column('order by');
        let desc = false;
        if (this.isWord('asc') || this.isWord('desc')) desc = this.tokens[this.i++]!.v.toLowerCase() === 'desc';
        order.push({ column, desc });
      } while (this.punct(','));
    }
    let limit: number | null = null;
    let offset = 0;
    if (this.isWord('limit')) {
      this.i++;
      const first = this.literal('limit');
      if (this.punct(',')) {
        offset = Number(first);
        limit = Number(this.literal('limit'));
      } else limit = Number(first);
      if (this.isWord('offset')) {
        this.i++;
        offset = Number(this.literal('offset'));
      }
    }
    if (this.peek()) throw syntax('query', this.peek()!.v);
    if ((limit !== null && !Number.isInteger(limit)) || !Number.isInteger(offset)) throw syntax('limit', String(limit));
    return { columns, module, where, order, limit, offset };
  }

  private or(): Condition {
    return this.chain('or', () => this.and());
  }

  private and(): Condition {
    return this.chain('and', () => this.primary());
  }

  /** `next (word next)*`, left-associative. */
  private chain(word: 'and' | 'or', next: () => Condition): Condition {
    let left = next();
    while (this.isWord(word)) {
      this.i++;
      left = { kind: word, left, right: next() } as Condition;
    }
    return left;
  }

  private primary(): Condition {
    if (this.punct('(')) {
      const inner = this.or();
      if (!this.punct(')')) throw syntax('where', this.peek()?.v ?? '');
      return inner;
    }
    const column = this.column('where');
    const t = this.peek();
    if (t?.t === 'op') {
      this.i++;
      return { kind: 'compare', column, op: t.v === '<>' ? '!=' : t.v, value: this.literal('where') };
    }
    let negate = false;
    if (this.isWord('not')) {
      this.i++;
      negate = true;
    }
    if (this.isWord('in')) {
      this.i++;
      if (!this.punct('(')) throw syntax('where', this.peek()?.v ?? '');
      const values = [this.literal('where')];
      while (this.punct(',')) values.push(this.literal('where'));
      if (!this.punct(')')) throw syntax('where', this.peek()?.v ?? '');
      return { kind: 'in', column, negate, values };
    }
    if (this.isWord('like')) {
      this.i++;
      return { kind: 'like', column, negate, pattern: String(this.literal('where')) };
    }
    if (!negate && this.isWord('between')) {
      this.i++;
      const low = this.literal('where');
      this.expectWord('and', 'where');
      return { kind: 'between', column, low, high: this.literal('where') };
    }
    if (!negate && this.isWord('is')) {
      this.i++;
      let not = false;
      if (this.isWord('not')) {
        this.i++;
        not = true;
      }
      this.expectWord('null', 'where');
      return { kind: 'null', column, negate: not };
    }
    throw syntax('where', t?.v ?? '');
  }
}

export function parseQuery(text: string): Query {
  return new Parser(tokenize(text)).query();
}

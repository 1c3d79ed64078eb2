/**
 * The search API's criteria language (`module_search/mds/searchRecords.md`):
 * `((Field:operator:value) and (Field:operator:value))`, with `\(`, `\)`, `\,`, `\:` and `\\`
 * escaped. `equals` on text behaves like "contains", as Zoho documents ("ABC" finds "ABC Inc.").
 */
import { fail } from './errors';
import type { Values } from './org';
import type { FieldDef } from './schema';
import { parseDateTime } from './time';

export type Criteria =
  | { kind: 'leaf'; field: string; operator: string; value: string }
  | { kind: 'and'; left: Criteria; right: Criteria }
  | { kind: 'or'; left: Criteria; right: Criteria };

export const OPERATORS = ['equals', 'not_equal', 'starts_with', 'in', 'greater_than', 'greater_equal', 'less_than', 'less_equal', 'between'];
export const MAX_CRITERIA = 10;

const invalidQuery = (details: Record<string, unknown>) => fail(400, 'INVALID_QUERY', 'invalid query formed', details);

class Parser {
  private i = 0;
  leaves = 0;
  constructor(private readonly s: string) {}

  parse(): Criteria {
    const c = this.expr();
    this.space();
    if (this.i !== this.s.length) throw invalidQuery({ reason: 'unexpected text after the criteria', near: this.s.slice(this.i, this.i + 20) });
    return c;
  }

  private space(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private expr(): Criteria {
    let left = this.conj();
    while (this.word('or')) left = { kind: 'or', left, right: this.conj() };
    return left;
  }

  private conj(): Criteria {
    let left = this.term();
    while (this.word('and')) left = { kind: 'and', left, right: this.term() };
    return left;
  }

  private word(w: string): boolean {
    this.space();
    if (this.s.slice(this.i, this.i + w.length).toLowerCase() === w && (this.s[this.i + w.length] === '(' || this.s[this.i + w.length] === ' ')) {
      this.i += w.length;
      return true;
    }
    return false;
  }

  private term(): Criteria {
    this.space();
    if (this.s[this.i] !== '(') throw invalidQuery({ reason: 'expected (', near: this.s.slice(this.i, this.i + 20) });
    this.i++;
    this.space();
    if (this.s[this.i] === '(') {
      const inner = this.expr();
      this.space();
      if (this.s[this.i] !== ')') throw invalidQuery({ reason: 'expected )' });
      this.i++;
      return inner;
    }
    const parts: string[] = [''];
    for (;;) {
      const ch = this.s[this.i];
      if (ch === undefined) throw invalidQuery({ reason: 'unbalanced parentheses' });
      if (ch === '\\' && this.i + 1 < this.s.length) {
        parts[parts.length - 1] += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      this.i++;
      if (ch === ')') break;
      if (ch === ':' && parts.length < 3) parts.push('');
      else parts[parts.length - 1] += ch;
    }
    if (parts.length !== 3) throw invalidQuery({ reason: 'a criterion is (field:operator:value)' });
    this.leaves++;
    return { kind: 'leaf', field: parts[0]!.trim(), operator: parts[1]!.trim().toLowerCase(), value: parts[2]! };
  }
}

export function parseCriteria(text: string): Criteria {
  const p = new Parser(text.trim());
  const c = p.parse();
  if (p.leaves > MAX_CRITERIA) throw fail(400, 'CRITERIA_LIMIT_EXCEEDED', `a maximum of ${MAX_CRITERIA} criteria are allowed`, { limit: MAX_CRITERIA });
  return c;
}

/** The values of `in` and `between` (an escaped comma inside a value is not told apart: a simplification). */
const list = (v: string) => v.split(',').map((s) => s.trim());

function comparable(def: FieldDef | undefined, raw: unknown): number | string | null {
  if (raw === undefined || raw === null) return null;
  if (def?.kind === 'datetime') return typeof raw === 'number' ? raw : parseDateTime(raw);
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'boolean') return String(raw);
  if (typeof raw === 'object' && 'id' in (raw as object)) return String((raw as { id: unknown }).id);
  return String(raw);
}

export function matches(c: Criteria, values: Values, id: string, fieldDef: (name: string) => FieldDef | undefined): boolean {
  if (c.kind === 'and') return matches(c.left, values, id, fieldDef) && matches(c.right, values, id, fieldDef);
  if (c.kind === 'or') return matches(c.left, values, id, fieldDef) || matches(c.right, values, id, fieldDef);
  const def = fieldDef(c.field);
  if (!def && c.field !== 'id') throw invalidQuery({ api_name: c.field });
  if (!OPERATORS.includes(c.operator)) throw invalidQuery({ operator: c.operator, api_name: c.field });
  const actual = c.field === 'id' ? id : comparable(def, values[c.field]);
  const textual = def !== undefined && ['text', 'email', 'phone'].includes(def.kind);
  const target = (v: string) => comparable(def, def?.kind === 'datetime' ? v : v.trim());
  const eq = (v: string) => {
    const t = target(v);
    if (actual === null || t === null) return actual === t;
    if (typeof actual === 'string' && typeof t === 'string') return actual.toLowerCase() === t.toLowerCase();
    return actual === t;
  };
  const cmp = (v: string) => {
    const t = target(v);
    if (actual === null || t === null) return NaN;
    return actual < t ? -1 : actual > t ? 1 : 0;
  };
  switch (c.operator) {
    case 'equals':
      if (textual && typeof actual === 'string') return actual.toLowerCase().includes(c.value.trim().toLowerCase());
      return eq(c.value);
    case 'not_equal':
      return !eq(c.value);
    case 'starts_with':
      return typeof actual === 'string' && actual.toLowerCase().startsWith(c.value.trim().toLowerCase());
    case 'in':
      return list(c.value).some(eq);
    case 'greater_than':
      return cmp(c.value) > 0;
    case 'greater_equal':
      return cmp(c.value) >= 0;
    case 'less_than':
      return cmp(c.value) < 0;
    case 'less_equal':
      return cmp(c.value) <= 0;
    case 'between': {
      const [lo, hi] = list(c.value);
      return lo !== undefined && hi !== undefined && cmp(lo) >= 0 && cmp(hi) <= 0;
    }
    default:
      return false;
  }
}

/**
 * iCalendar as a tree of untouched content lines. ical.js re-serializes a whole file in its own
 * way (folding, parameter quoting), which would change bytes the CRM never touched; here every
 * line keeps its exact text (folding and line ending included) until an edit replaces it, so
 * serializing an unedited tree gives back the input byte for byte.
 */
import ICAL from 'ical.js';

export interface RawProp {
  kind: 'prop';
  /** Upper-case property name. */
  name: string;
  /** Exact folded text including the line terminator(s). */
  raw: string;
  /** Unfolded text without the terminator, for parsing. */
  text: string;
}

export interface RawComp {
  kind: 'comp';
  name: string;
  begin: string;
  end: string;
  children: RawNode[];
}

export type RawNode = RawProp | RawComp;

export interface RawDoc {
  /** Top-level nodes: normally one VCALENDAR, plus whatever stray lines surround it. */
  nodes: RawNode[];
  /** Line terminator for new lines: the file's own. */
  eol: string;
}

const LOGICAL_LINE = /[^\r\n]*(?:\r\n|\n|\r)?(?:[ \t][^\r\n]*(?:\r\n|\n|\r)?)*/g;

export function parseRaw(text: string): RawDoc {
  const eol = /\r\n/.test(text) || !/\n/.test(text) ? '\r\n' : '\n';
  const root: RawNode[] = [];
  const stack: RawComp[] = [];
  const add = (n: RawNode) => (stack.length ? stack[stack.length - 1]!.children : root).push(n);
  for (const raw of text.match(LOGICAL_LINE) ?? []) {
    if (raw === '') continue;
    const unfolded = raw.replace(/(?:\r\n|\n|\r)[ \t]/g, '').replace(/(?:\r\n|\n|\r)$/, '');
    const name = nameOf(unfolded);
    if (name === 'BEGIN') {
      const comp: RawComp = { kind: 'comp', name: valueOf(unfolded), begin: raw, end: '', children: [] };
      add(comp);
      stack.push(comp);
    } else if (name === 'END' && stack.length) {
      stack.pop()!.end = raw;
    } else {
      add({ kind: 'prop', name, raw, text: unfolded });
    }
  }
  return { nodes: root, eol };
}

export function serializeRaw(doc: RawDoc): string {
  return doc.nodes.map(serializeNode).join('');
}

function serializeNode(n: RawNode): string {
  return n.kind === 'prop' ? n.raw : n.begin + n.children.map(serializeNode).join('') + n.end;
}

function nameOf(line: string): string {
  const m = /^[^;:]*/.exec(line);
  return (m?.[0] ?? '').trim().toUpperCase();
}

function valueOf(line: string): string {
  return line.slice(line.indexOf(':') + 1).trim().toUpperCase();
}

export const comps = (c: RawComp | RawDoc, name: string): RawComp[] =>
  ('nodes' in c ? c.nodes : c.children).filter(
    (n): n is RawComp => n.kind === 'comp' && n.name === name,
  );

export const props = (c: RawComp, name: string): RawProp[] =>
  c.children.filter((n): n is RawProp => n.kind === 'prop' && n.name === name);

export const firstProp = (c: RawComp, name: string): RawProp | undefined => props(c, name)[0];

const parsed = new WeakMap<RawProp, ICAL.Property>();

/** The line as an ical.js property (cached; treat as read-only, clone before editing). */
export function icalProp(p: RawProp): ICAL.Property {
  let prop = parsed.get(p);
  if (!prop) {
    prop = ICAL.Property.fromString(p.text);
    parsed.set(p, prop);
  }
  return prop;
}

/** A fresh, editable copy of the line's property. */
export const cloneProp = (p: RawProp): ICAL.Property => ICAL.Property.fromString(p.text);

export function makeProp(prop: ICAL.Property, eol: string): RawProp {
  const text = prop.toICALString();
  const raw = ICAL.helpers.foldline(text).replace(/\r\n/g, eol) + eol;
  return { kind: 'prop', name: prop.name.toUpperCase(), raw, text };
}

export function makeComp(name: string, eol: string, children: RawNode[] = []): RawComp {
  return { kind: 'comp', name, begin: `BEGIN:${name}${eol}`, end: `END:${name}${eol}`, children };
}

export function removeNode(c: RawComp, n: RawNode): void {
  const i = c.children.indexOf(n);
  if (i >= 0) c.children.splice(i, 1);
}

export function replaceNode(c: RawComp, old: RawNode, next: RawNode): void {
  const i = c.children.indexOf(old);
  if (i >= 0) c.children[i] = next;
  else insertProp(c, next);
}

/**
 * Inserts after the last property named in `after` (the natural neighbours), else after the
 * last property of the component, so new lines never land inside or after subcomponents.
 */
export function insertProp(c: RawComp, n: RawNode, after: string[] = []): void {
  let at = -1;
  c.children.forEach((child, i) => {
    if (child.kind === 'prop' && after.includes(child.name)) at = i;
  });
  if (at < 0) c.children.forEach((child, i) => child.kind === 'prop' && (at = i));
  c.children.splice(at + 1, 0, n);
}

/** Inserts a subcomponent before the first `before` sibling component, else at the end. */
export function insertComp(c: RawComp, n: RawComp, before?: string): void {
  const i = before ? c.children.findIndex((x) => x.kind === 'comp' && x.name === before) : -1;
  if (i >= 0) c.children.splice(i, 0, n);
  else c.children.push(n);
}

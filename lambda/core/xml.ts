/**
 * XML in and out. Parsing uses fast-xml-parser and then resolves namespace prefixes, because
 * WebDAV is defined on namespace-qualified names (we compare Clark strings, never prefixes).
 * DOCTYPE is refused outright: no DTDs, no entity expansion.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { DavError } from './errors';
import { PREFERRED_PREFIXES, splitClark, type Clark } from './namespaces';

export interface XmlElement {
  name: Clark;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated direct text content. */
  text: string;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

export function parseXml(body: string): XmlElement {
  if (/<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body)) {
    throw new DavError(400, 'DTDs and entity declarations are not accepted');
  }
  if (body.trim() === '') throw new DavError(400, 'Request body must be an XML document');
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    throw new DavError(400, `Malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  const nodes = parser.parse(body) as OrderedNode[];
  const root = nodes.map((n) => toElement(n, {})).find((e): e is XmlElement => e !== null);
  if (!root) throw new DavError(400, 'Request body has no root element');
  return root;
}

function toElement(node: OrderedNode, scope: Record<string, string>): XmlElement | null {
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (!tag || tag === '#text' || tag.startsWith('?')) return null;
  const rawAttrs = node[':@'] ?? {};
  const ns = { ...scope };
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns') ns[''] = v;
    else if (k.startsWith('xmlns:')) ns[k.slice(6)] = v;
    else attrs[k] = v;
  }
  const colon = tag.indexOf(':');
  const prefix = colon >= 0 ? tag.slice(0, colon) : '';
  const local = colon >= 0 ? tag.slice(colon + 1) : tag;
  const uri = ns[prefix];
  if (uri === undefined && prefix !== '') {
    throw new DavError(400, `Malformed XML: undeclared namespace prefix "${prefix}"`);
  }
  const kids = (node[tag] as OrderedNode[] | undefined) ?? [];
  const element: XmlElement = { name: `{${uri ?? ''}}${local}`, attrs, children: [], text: '' };
  for (const kid of kids) {
    if ('#text' in kid) element.text += String(kid['#text']);
    else {
      const childEl = toElement(kid, ns);
      if (childEl) element.children.push(childEl);
    }
  }
  return element;
}

export const findChild = (el: XmlElement | undefined, name: Clark) =>
  el?.children.find((c) => c.name === name);

export const findChildren = (el: XmlElement | undefined, name: Clark) =>
  el?.children.filter((c) => c.name === name) ?? [];

/** Builds an element for output: `el(name, attrs?, ...children)` where strings become text. */
export function el(
  name: Clark,
  ...content: Array<XmlElement | string | Record<string, string> | null | undefined | false>
): XmlElement {
  const element: XmlElement = { name, attrs: {}, children: [], text: '' };
  for (const c of content) {
    if (c === null || c === undefined || c === false) continue;
    if (typeof c === 'string') element.text += c;
    else if ('name' in c && 'children' in c) element.children.push(c as XmlElement);
    else Object.assign(element.attrs, c);
  }
  return element;
}

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  processEntities: true,
});

/** Serializes with stable prefixes (d:, cal:, cs:, ical:) declared once on the root. */
export function serializeXml(root: XmlElement): string {
  const prefixes = new Map<string, string>();
  const prefixOf = (ns: string) => {
    let p = prefixes.get(ns);
    if (p === undefined) {
      p = PREFERRED_PREFIXES[ns] ?? `x${prefixes.size}`;
      prefixes.set(ns, p);
    }
    return p;
  };
  const convert = (e: XmlElement): OrderedNode => {
    const { ns, local } = splitClark(e.name);
    const qname = ns ? `${prefixOf(ns)}:${local}` : local;
    const kids: OrderedNode[] = e.children.map(convert);
    if (e.text) kids.unshift({ '#text': e.text });
    const node: OrderedNode = { [qname]: kids };
    const attrs = Object.entries(e.attrs);
    if (attrs.length) node[':@'] = Object.fromEntries(attrs.map(([k, v]) => [`@_${k}`, v]));
    return node;
  };
  const tree = convert(root);
  const nsAttrs: Record<string, string> = { ...(tree[':@'] ?? {}) };
  for (const [ns, p] of prefixes) nsAttrs[`@_xmlns:${p}`] = ns;
  tree[':@'] = nsAttrs;
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build([tree]) as string}`;
}

/**
 * XML in and out. Parsing uses fast-xml-parser and then resolves namespace prefixes, because
 * WebDAV is defined on namespace-qualified names (we compare Clark strings, never prefixes).
 * DOCTYPE is refused outright: no DTDs, no entity expansion.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DavError } from './errors';
import { PREFERRED_PREFIXES, splitClark, type Clark } from './namespaces';

export interface XmlElement {
  name: Clark;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated direct text content. */
  text: string;
  /** Output only: the element already serialized (preSerialize), written as is. */
  xml?: PreSerialized;
}

/** An element's text as serializeXml writes it, with the namespaces its prefixes stand for. */
export interface PreSerialized {
  text: string;
  namespaces: readonly string[];
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // References are decoded below, in one pass: the parser's own pass would leave `&#13;` as text
  // and, run before ours, turn `&amp;#13;` into a reference that was never sent.
  processEntities: false,
  htmlEntities: false,
  // CDATA is kept apart: its content is literal, never reference-decoded.
  cdataPropName: '#cdata',
});

/** WebDAV bodies nest a handful of levels (a calendar-query filter about eight). */
export const MAX_XML_DEPTH = 64;

const malformed = (why: string) => new DavError(400, `Malformed XML: ${why}`);

/** XML 1.0 Char production: what a character reference may name. */
const isXmlChar = (c: number) => c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric character references (XML 1.0 §4.1, §4.6). */
export function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw malformed('"&" must start a reference ending in ";"');
    if (ref.startsWith('#')) {
      const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
      if (!isXmlChar(code)) throw malformed(`&${ref}; is not a character XML allows`);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[ref];
    if (value === undefined) throw malformed(`unknown entity &${ref};`);
    return value;
  });
}

/** Deepest element nesting, counted without building anything (a deep body must not cost a stack). */
function nestingDepth(body: string): number {
  let depth = 0;
  let max = 0;
  for (const m of body.matchAll(/<(\/?)([^\s>/?!][^>]*?)?(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>/g)) {
    if (m[0].startsWith('<!') || m[0].startsWith('<?')) continue;
    if (m[1]) depth--;
    else if (!m[3]) max = Math.max(max, ++depth);
  }
  return max;
}

/**
 * Devices send the same few bodies over and over (an iPhone's poll is one PROPFIND, byte for
 * byte, every 15 minutes): their trees are kept, frozen, so a repeat costs a map look-up instead
 * of a parse. Small bodies only, a bounded number, oldest out first.
 */
const REPEATS_KEPT = 64;
const REPEAT_MAX_BYTES = 2048;
const repeats = new Map<string, XmlElement>();

const deepFreeze = (e: XmlElement): XmlElement => {
  for (const child of e.children) deepFreeze(child);
  Object.freeze(e.attrs);
  Object.freeze(e.children);
  return Object.freeze(e);
};

export function parseXml(body: string): XmlElement {
  const run = body.includes('href>') ? hrefRunOf(body) : null;
  if (run && run.shape.length <= REPEAT_MAX_BYTES) return withHrefs(run, body);
  if (body.length > REPEAT_MAX_BYTES) return parseFresh(body);
  const known = repeats.get(body);
  if (known) return known;
  const token = syncTokenOf(body);
  return token ? withSyncToken(repeats.get(token.shape) ?? kept(token.shape), token.text) : kept(body);
}

/** Parses a body not kept yet, and keeps it. */
function kept(body: string): XmlElement {
  const parsed = deepFreeze(parseFresh(body));
  if (repeats.size >= REPEATS_KEPT) repeats.delete(repeats.keys().next().value!);
  repeats.set(body, parsed);
  return parsed;
}

/**
 * A phone's sync-collection body is the same every time but for the token its last sync got:
 * such a body is parsed (and kept) with the token's text masked, and the token put back into a
 * copy. Only a token of characters that cannot change the document (no markup, references or
 * white space, which the parser would trim) and only one sync-token element qualify; anything
 * else is parsed as it came.
 */
const SYNC_TOKEN_TEXT = /(<(?:[A-Za-z_][\w.-]*:)?sync-token(?:\s[^<>]*)?>)([!#-%'-;=?-~]+)(<\/)/g;
const MASK = 'sync-token-text';

function syncTokenOf(body: string): { shape: string; text: string } | null {
  // Comments and CDATA sections could hold what looks like the element: such bodies go as they are.
  if (body.includes('<!')) return null;
  let text: string | null = null;
  let matches = 0;
  const shape = body.replace(SYNC_TOKEN_TEXT, (_whole, open: string, token: string, close: string) => {
    matches++;
    text = token;
    return `${open}${MASK}${close}`;
  });
  return matches === 1 && text !== null && body.split('sync-token').length === 3 ? { shape, text } : null;
}

/**
 * The tree with each masked leaf (`text` equal to `mask`, named `…}local`) replaced by the
 * elements `put` makes of it, sharing every untouched (frozen) node.
 */
const isMasked = (e: XmlElement, mask: string, local: string) => e.text === mask && e.children.length === 0 && e.name.endsWith(`}${local}`);

function unmasked(tree: XmlElement, mask: string, local: string, put: (masked: XmlElement) => XmlElement[]): XmlElement {
  // The root itself masked: a body of that one element, so one element put back.
  if (isMasked(tree, mask, local)) return Object.freeze(put(tree)[0]!);
  let changed = false;
  const children = tree.children.flatMap((child) => {
    if (isMasked(child, mask, local)) {
      changed = true;
      return put(child).map((e) => Object.freeze(e));
    }
    const next = unmasked(child, mask, local, put);
    changed ||= next !== child;
    return [next];
  });
  return changed ? Object.freeze({ ...tree, children: Object.freeze(children) as XmlElement[] }) : tree;
}

/** The tree with the masked token's text put back. */
const withSyncToken = (tree: XmlElement, token: string) => unmasked(tree, MASK, 'sync-token', (masked) => [{ ...masked, text: token }]);

/**
 * A calendar-multiget names hrefs that differ every time after a prop part a device repeats byte
 * for byte: such a body is parsed (and kept) with its hrefs collapsed into one masked href, and
 * the hrefs put back into a copy. Only plain hrefs qualify (characters that cannot change the
 * document: no markup, references or white space), all written with one prefix and no attribute,
 * in one run with nothing but white space between them, and no other "href" anywhere in the body;
 * anything else is parsed as it came.
 */
const HREF = /<((?:[A-Za-z_][\w.-]*:)?)href>([!#-%'-;=?-~]+)<\/\1href>/g;
const HREF_MASK = 'href-run';
const XML_SPACE = /^[ \t\r\n]*$/;

function hrefRunOf(body: string): { shape: string; hrefs: string[] } | null {
  if (body.includes('<!')) return null;
  const hrefs: string[] = [];
  let prefix = '';
  let start = -1;
  let end = -1;
  for (const m of body.matchAll(HREF)) {
    if (start < 0) [prefix, start] = [m[1]!, m.index];
    else if (m[1] !== prefix || !XML_SPACE.test(body.slice(end, m.index))) return null;
    hrefs.push(m[2]!);
    end = m.index + m[0].length;
  }
  if (hrefs.length === 0 || body.split('href').length !== 2 * hrefs.length + 1) return null;
  return { shape: `${body.slice(0, start)}<${prefix}href>${HREF_MASK}</${prefix}href>${body.slice(end)}`, hrefs };
}

/** The shape's tree with its masked href replaced by the run's. */
function withHrefs(run: { shape: string; hrefs: string[] }, body: string): XmlElement {
  let tree: XmlElement;
  try {
    tree = repeats.get(run.shape) ?? kept(run.shape);
  } catch {
    // Refused as the body itself would be, with its own line numbers.
    return parseFresh(body);
  }
  return unmasked(tree, HREF_MASK, 'href', (masked) => run.hrefs.map((text) => ({ ...masked, text })));
}

function parseFresh(body: string): XmlElement {
  if (/<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body)) {
    throw new DavError(400, 'DTDs and entity declarations are not accepted');
  }
  if (body.trim() === '') throw new DavError(400, 'Request body must be an XML document');
  // What a lossy UTF-8 decode leaves behind: the bytes sent were not UTF-8 (RFC 4918 §8.2 wants it).
  if (body.includes('\uFFFD')) throw malformed('the body is not valid UTF-8');
  if (nestingDepth(body) > MAX_XML_DEPTH) throw malformed(`elements nest deeper than ${MAX_XML_DEPTH} levels`);
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw malformed(`${valid.err.msg} (line ${valid.err.line})`);
  const nodes = parser.parse(body) as OrderedNode[];
  const roots = nodes.map((n) => toElement(n, {})).filter((e): e is XmlElement => e !== null);
  if (roots.length === 0) throw new DavError(400, 'Request body has no root element');
  if (roots.length > 1) throw malformed('a document has exactly one root element');
  return roots[0]!;
}

function toElement(node: OrderedNode, scope: Record<string, string>): XmlElement | null {
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (!tag || tag === '#text' || tag.startsWith('?')) return null;
  const rawAttrs = node[':@'] ?? {};
  const ns = { ...scope };
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns') ns[''] = decodeReferences(v);
    else if (k.startsWith('xmlns:')) ns[k.slice(6)] = decodeReferences(v);
    else attrs[k] = decodeReferences(v);
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
    if ('#text' in kid) element.text += decodeReferences(String(kid['#text']));
    else if ('#cdata' in kid) element.text += (kid['#cdata'] as Array<{ '#text'?: unknown }>).map((t) => String(t['#text'] ?? '')).join('');
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

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Text and attribute values as XML: markup characters escaped; characters XML 1.0 cannot carry
 * at all (C0 controls other than tab, CR and LF, lone surrogates, U+FFFE/U+FFFF) become U+FFFD.
 * Input checks keep them out of storage; this keeps a response well-formed regardless. CR stays
 * literal, as sabre/dav and Radicale send it (clients' parsers read CRLF as LF).
 */
export const escapeXml = (text: string): string =>
  text.replace(/[&<>"]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (c) => ESCAPES[c] ?? '\uFFFD');

/**
 * Writes elements with prefixes from `qnameOf` (which records the namespaces it was asked for)
 * into one array of parts, joined once: a flat string, where `+=` over a 2,000-entry listing left
 * a deep rope for whoever touched it next to flatten.
 */
function writer(qnameOf: (name: Clark) => string, seen: (ns: string) => void) {
  const attrsOf = (attrs: Record<string, string>): string => {
    let out = '';
    for (const k in attrs) out += ` ${k}="${escapeXml(attrs[k])}"`;
    return out;
  };
  const write = (e: XmlElement, parts: string[]): void => {
    if (e.xml) {
      for (const ns of e.xml.namespaces) seen(ns);
      parts.push(e.xml.text);
      return;
    }
    const qname = qnameOf(e.name);
    if (!e.text && e.children.length === 0) {
      parts.push(`<${qname}${attrsOf(e.attrs)}/>`);
      return;
    }
    parts.push(`<${qname}${attrsOf(e.attrs)}>`);
    inner(e, parts);
    parts.push(`</${qname}>`);
  };
  const inner = (e: XmlElement, parts: string[]): void => {
    if (e.text) parts.push(escapeXml(e.text));
    for (const child of e.children) write(child, parts);
  };
  return { attrsOf, inner, write };
}

/**
 * Serializes with stable prefixes (d:, cal:, cs:, ical:) declared once on the root. Written
 * directly rather than through fast-xml-parser's builder: output is our own small tree, and a
 * 2,000-object multistatus spent most of its time converting to the builder's format.
 */
export function serializeXml(root: XmlElement): string {
  const prefixes = new Map<string, string>();
  const prefixOf = (ns: string): string => {
    let p = prefixes.get(ns);
    if (p === undefined) {
      p = PREFERRED_PREFIXES[ns] ?? `x${prefixes.size}`;
      prefixes.set(ns, p);
    }
    return p;
  };
  const qnameOf = (name: Clark): string => {
    const { ns, local } = splitClark(name);
    return ns ? `${prefixOf(ns)}:${local}` : local;
  };
  const { attrsOf, inner } = writer(qnameOf, prefixOf);
  const rootName = qnameOf(root.name);
  const parts: string[] = [];
  inner(root, parts);
  let declarations = attrsOf(root.attrs);
  for (const [ns, p] of prefixes) declarations += ` xmlns:${p}="${escapeXml(ns)}"`;
  const head = '<?xml version="1.0" encoding="utf-8"?>\n';
  if (parts.length === 0) return `${head}<${rootName}${declarations}/>`;
  parts.unshift(`${head}<${rootName}${declarations}>`);
  parts.push(`</${rootName}>`);
  return parts.join('');
}

/**
 * An element serialized ahead, to be written as is by serializeXml (a listing's unchanged
 * entries, kept between requests); null when it uses a namespace without a fixed prefix, whose
 * prefix depends on the document it ends up in.
 */
export function preSerialize(element: XmlElement): XmlElement | null {
  const namespaces = new Set<string>();
  let fixed = true;
  const qnameOf = (name: Clark): string => {
    const { ns, local } = splitClark(name);
    if (!ns) return local;
    const p = PREFERRED_PREFIXES[ns];
    if (p === undefined) fixed = false;
    namespaces.add(ns);
    return `${p}:${local}`;
  };
  const parts: string[] = [];
  writer(qnameOf, (ns) => namespaces.add(ns)).write(element, parts);
  const text = parts.join('');
  return fixed ? { ...element, xml: { text, namespaces: [...namespaces] } } : null;
}

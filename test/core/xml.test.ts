import { describe, expect, it } from 'vitest';
import { DavError } from '../../lambda/core/errors';
import { MAX_XML_DEPTH, decodeReferences, el, escapeXml, parseXml, serializeXml } from '../../lambda/core/xml';

const refused = (body: string) => {
  try {
    parseXml(body);
  } catch (err) {
    expect(err).toBeInstanceOf(DavError);
    expect((err as DavError).status).toBe(400);
    return (err as DavError).message;
  }
  throw new Error(`accepted: ${body.slice(0, 60)}`);
};

describe('parseXml', () => {
  it('decodes numeric character references and the predefined entities in one pass', () => {
    expect(parseXml('<a xmlns="DAV:" t="1&amp;2&#x20;3">x&#13;&#x0D;y &amp;#13; &lt;&#128512;</a>')).toMatchObject({ attrs: { t: '1&2 3' }, text: 'x\r\ry &#13; <😀' });
    expect(parseXml('<a xmlns="DAV:"><![CDATA[a &amp; <b>]]></a>').text).toBe('a &amp; <b>');
    expect(decodeReferences('no refs')).toBe('no refs');
  });

  it('refuses what is not one well-formed XML document in UTF-8', () => {
    expect(refused('<a/><b/>')).toMatch(/one root element/);
    expect(refused('<a>\uFFFD</a>')).toMatch(/UTF-8/);
    expect(refused('<a>&nbsp;</a>')).toMatch(/unknown entity/);
    expect(refused('<a>&#0;</a>')).toMatch(/character XML allows/);
    expect(refused('<a>&#xD800;</a>')).toMatch(/character XML allows/);
    expect(refused('<!DOCTYPE a><a/>')).toMatch(/DTD/);
  });

  it('refuses deep nesting before parsing it (100,000 levels answer 400, not a stack overflow)', () => {
    const deep = (n: number) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`;
    expect(parseXml(deep(MAX_XML_DEPTH)).name).toBe('{}a');
    expect(refused(deep(MAX_XML_DEPTH + 1))).toMatch(/nest deeper/);
    expect(refused(deep(100_000))).toMatch(/nest deeper/);
  });
});

describe('serializeXml', () => {
  it('never writes a character XML cannot carry, whatever was stored', () => {
    const out = serializeXml(el('{DAV:}a', { t: 'q"\u0001' }, 'x\r\ny <&> \u0000 \uD800 \uFFFF ok 😀'));
    expect(out).toContain('t="q&quot;\uFFFD"');
    expect(parseXml(out.replace(/\uFFFD/g, '?')).text).toBe('x\r\ny <&> ? ? ? ok 😀'.replace('\r\n', '\n'));
    expect(escapeXml('plain')).toBe('plain');
  });

  it('declares each namespace once on the root with its stable prefix, text before children, empty elements closed', () => {
    const tree = el(
      '{DAV:}multistatus',
      el('{DAV:}response', el('{DAV:}href', '/a b'), el('{DAV:}resourcetype'), el('{urn:example}x', { kind: 'k' }, 'v', el('{DAV:}collection'))),
      el('plain'),
    );
    expect(serializeXml(tree)).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n' +
        '<d:multistatus xmlns:d="DAV:" xmlns:x1="urn:example"><d:response><d:href>/a b</d:href><d:resourcetype/>' +
        '<x1:x kind="k">v<d:collection/></x1:x></d:response><plain/></d:multistatus>',
    );
    expect(parseXml(serializeXml(tree)).children[0]?.children[2]?.attrs).toEqual({ kind: 'k' });
  });
});

describe('parseXml of sync-collection bodies that differ only in their token', () => {
  const body = (token: string, prefix = 'A') =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<${prefix}:sync-collection xmlns:${prefix}="DAV:"><${prefix}:sync-token>${token}</${prefix}:sync-token>` +
    `<${prefix}:sync-level>1</${prefix}:sync-level><${prefix}:prop><${prefix}:getetag/></${prefix}:prop></${prefix}:sync-collection>`;
  // A comment after the root changes nothing in the tree and sends the body down the plain path.
  const fresh = (text: string) => parseXml(`${text}<!-- parsed as it came -->`);

  it('gives the tree a fresh parse gives, for each token, sharing what the tokens do not change', () => {
    const tokens = ['http://crm-caldav.example/sync/a1b2c3:17', 'urn:x:1?after=b%40c.ics', "x'()*+,-./:;=?@[]^_`{|}~!#$%", 'sync-token-text'];
    const trees = tokens.map((t) => parseXml(body(t)));
    for (const [i, t] of tokens.entries()) {
      expect(trees[i]).toEqual(fresh(body(t)));
      expect(trees[i]!.children[0]).toMatchObject({ name: '{DAV:}sync-token', text: t });
    }
    // One parse of the shape serves them all: the sync-level and prop elements are the same objects.
    expect(trees[1]!.children[1]).toBe(trees[0]!.children[1]);
    expect(trees[2]!.children[2]).toBe(trees[0]!.children[2]);
    expect(Object.isFrozen(trees[1]) && Object.isFrozen(trees[1]!.children[0])).toBe(true);
  });

  it('parses as it came a token with references, white space or markup, or two sync-tokens', () => {
    expect(parseXml(body('a&amp;b')).children[0]!.text).toBe('a&b');
    expect(parseXml(body('  spaced  ')).children[0]!.text).toBe('spaced');
    expect(parseXml(body('a<![CDATA[<b>]]>')).children[0]!.text).toBe('a<b>');
    const two = body('one').replace('<A:sync-level>', '<A:sync-token>two</A:sync-token><A:sync-level>');
    expect(parseXml(two).children.filter((c) => c.name === '{DAV:}sync-token').map((c) => c.text)).toEqual(['one', 'two']);
  });

  it('refuses a malformed body with a token as it refuses it without', () => {
    const mismatched = body('tok-1').replace('</A:sync-token>', '</A:sync-level>');
    expect(refused(mismatched)).toBe(refused(`${mismatched}<!-- x -->`));
    expect(refused(body('tok-2', 'B').replace('xmlns:B="DAV:"', ''))).toMatch(/undeclared namespace prefix "B"/);
  });
});

describe('parseXml of calendar-multiget bodies that differ only in their hrefs', () => {
  const prop = (p: string) => `<${p}:prop><${p}:getetag/><C:calendar-data/></${p}:prop>`;
  const body = (hrefs: string[], p = 'D', between = '\n  ') =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<C:calendar-multiget xmlns:${p}="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">\n  ${prop(p)}\n  ` +
    hrefs.map((h) => `<${p}:href>${h}</${p}:href>`).join(between) +
    `\n</C:calendar-multiget>`;
  const fresh = (text: string) => parseXml(`${text}<!-- parsed as it came -->`);
  const many = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `/calendars/pat%40zillum.com/crm/${from + i}-A1B2C3.ics`);

  it('gives the tree a fresh parse gives, for one href or many, sharing the prop part', () => {
    const bodies = [body(many(1)), body(many(100)), body(many(100, 7), 'd', ''), body(["/x/'()*+,-./:;=?@[]^_`{|}~!#$%.ics", 'href-run'])];
    const trees = bodies.map(parseXml);
    for (const [i, b] of bodies.entries()) expect(trees[i]).toEqual(fresh(b));
    expect(trees[1]!.children.map((c) => c.text).slice(1)).toEqual(many(100));
    // One parse of the shape serves both: the prop element is the same object.
    expect(parseXml(body(many(3, 50))).children[0]).toBe(trees[0]!.children[0]);
    expect(Object.isFrozen(trees[1]) && Object.isFrozen(trees[1]!.children[5])).toBe(true);
  });

  it('parses as it came hrefs with references, white space, attributes or two prefixes, text between them, or another href', () => {
    const cases = [
      body(['/a&amp;b.ics', '/c.ics']),
      body([' /spaced.ics ', '/c.ics']),
      body(['/a.ics', '/b.ics']).replace('<D:href>/b.ics', '<D:href xmlns:D="DAV:">/b.ics'),
      body(['/a.ics', '/b.ics']).replace('<D:href>/b.ics</D:href>', '<E:href xmlns:E="DAV:">/b.ics</E:href>'),
      body(['/a.ics', '/b.ics'], 'D', ' stray text '),
      body(['/a.ics']).replace('<D:getetag/>', '<D:getetag/><D:href>/in-prop.ics</D:href>'),
      body(['/a.ics', '/b.ics']).replace('/b.ics', '/b.ics<![CDATA[x]]>'),
    ];
    for (const c of cases) expect(parseXml(c)).toEqual(fresh(c));
    expect(parseXml(cases[0]!).children[1]!.text).toBe('/a&b.ics');
    expect(parseXml(cases[4]!).text).toBe('stray text');
    // A body of one href, or of one sync-token, is its own masked element.
    expect(parseXml('<href>/only.ics</href>')).toEqual(fresh('<href>/only.ics</href>'));
    expect(parseXml('<href>/only.ics</href>').text).toBe('/only.ics');
    expect(parseXml('<D:sync-token xmlns:D="DAV:">tok-9</D:sync-token>')).toMatchObject({ name: '{DAV:}sync-token', text: 'tok-9' });
  });

  it('refuses a malformed body with hrefs as it refuses it without, with its own line numbers', () => {
    // A comment before the root, on the declaration's line, sends a body down the plain path and moves no line.
    const plain = (b: string) => b.replace('\n<C:calendar-multiget ', '<!-- plain -->\n<C:calendar-multiget ');
    const broken = body(many(40)).replace('</D:prop>', '</D:propx>');
    expect(refused(broken)).toBe(refused(plain(broken)));
    const late = body(many(40)).replace('</C:calendar-multiget>', '</C:calendar-multigetx>');
    expect(refused(late)).toBe(refused(plain(late)));
    expect(refused(late)).toMatch(/\(line 44\)$/);
    expect(refused(body(many(2), 'B').replace('xmlns:B="DAV:"', ''))).toMatch(/undeclared namespace prefix "B"/);
  });
});

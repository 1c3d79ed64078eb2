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

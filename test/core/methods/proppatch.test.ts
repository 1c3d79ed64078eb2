import { defaultColor } from '../../../lambda/core/props/calendar-settings';
import { describe, expect, it } from 'vitest';
import { propfind } from '../../../lambda/core/methods/propfind';
import { MAX_DEAD_PROPS, proppatch } from '../../../lambda/core/methods/proppatch';
import { NS } from '../../../lambda/core/namespaces';
import { findChild, findChildren, parseXml } from '../../../lambda/core/xml';
import { parseMultistatus } from '../../helpers/multistatus';
import { ALICE, BOB, call, makeCtx, propfindBody, proppatchBody, removeProps, setProps } from './harness';

const D = (l: string) => `{${NS.DAV}}${l}`;
const C = (l: string) => `{${NS.CALDAV}}${l}`;
const I = (l: string) => `{${NS.APPLE}}${l}`;

const CAL = '/calendars/alice@example.com/crm/';
const HOME = '/calendars/alice@example.com/';

const TZ = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//EN',
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:STANDARD',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'END:STANDARD',
  'END:VTIMEZONE',
  'END:VCALENDAR',
].join('\r\n');

async function patch(body: string, path = CAL, ctx = makeCtx()) {
  return call(proppatch, ctx, { method: 'PROPPATCH', path, body });
}

async function patched(body: string, path = CAL, ctx = makeCtx()) {
  const res = await patch(body, path, ctx);
  expect(res.status).toBe(207);
  const ms = parseMultistatus(res.body ?? '');
  expect([...ms.responses.keys()]).toEqual([path]);
  return ms.responses.get(path)!;
}

const statuses = (props: Map<string, { status: number }>) =>
  Object.fromEntries([...props].map(([name, e]) => [name, e.status]));

async function readBack(ctx: ReturnType<typeof makeCtx>, ...names: string[]) {
  const res = await call(propfind, ctx, { method: 'PROPFIND', path: CAL, headers: { depth: '0' }, body: propfindBody(...names) });
  return parseMultistatus(res.body ?? '').responses.get(CAL)!;
}

describe('PROPPATCH on the calendar', () => {
  it('sets what iOS sends and returns it afterwards', async () => {
    const ctx = makeCtx();
    const props = await patched(
      proppatchBody(
        setProps(
          '<d:displayname>Work</d:displayname><i:calendar-color>#FF2968FF</i:calendar-color>' +
            '<i:calendar-order>3</i:calendar-order><c:calendar-description>From the CRM</c:calendar-description>',
        ),
      ),
      CAL,
      ctx,
    );
    expect(statuses(props)).toEqual({
      [D('displayname')]: 200,
      [I('calendar-color')]: 200,
      [I('calendar-order')]: 200,
      [C('calendar-description')]: 200,
    });
    // RFC 4918 §9.2: names only, no values, in the answer.
    for (const entry of props.values()) expect(entry.element.text).toBe('');

    const back = await readBack(ctx, 'd:displayname', 'i:calendar-color', 'i:calendar-order', 'c:calendar-description');
    expect(back.get(D('displayname'))?.element.text).toBe('Work');
    expect(back.get(I('calendar-color'))?.element.text).toBe('#FF2968FF');
    expect(back.get(I('calendar-order'))?.element.text).toBe('3');
    expect(back.get(C('calendar-description'))?.element.text).toBe('From the CRM');
  });

  it('restores the defaults on remove', async () => {
    const ctx = makeCtx();
    await patched(proppatchBody(setProps('<d:displayname>Work</d:displayname><i:calendar-color>#000000</i:calendar-color>')), CAL, ctx);
    const props = await patched(proppatchBody(removeProps('<d:displayname/><i:calendar-color/><c:calendar-description/>')), CAL, ctx);
    expect(Object.values(statuses(props))).toEqual([200, 200, 200]);
    const back = await readBack(ctx, 'd:displayname', 'i:calendar-color', 'c:calendar-description');
    expect(back.get(D('displayname'))?.element.text).toBe(ALICE);
    expect(back.get(I('calendar-color'))?.element.text).toBe(defaultColor(ALICE));
    expect(back.get(C('calendar-description'))?.status).toBe(404);
  });

  it('applies instructions in document order', async () => {
    const ctx = makeCtx();
    await patched(
      proppatchBody(
        setProps('<d:displayname>First</d:displayname>'),
        removeProps('<d:displayname/>'),
        setProps('<d:displayname>Last</d:displayname>'),
      ),
      CAL,
      ctx,
    );
    expect((await readBack(ctx, 'd:displayname')).get(D('displayname'))?.element.text).toBe('Last');
  });

  it('stores a valid calendar-timezone and refuses one without VTIMEZONE', async () => {
    const ctx = makeCtx();
    const good = await patched(proppatchBody(setProps(`<c:calendar-timezone><![CDATA[${TZ}]]></c:calendar-timezone>`)), CAL, ctx);
    expect(good.get(C('calendar-timezone'))?.status).toBe(200);
    expect((await readBack(ctx, 'c:calendar-timezone')).get(C('calendar-timezone'))?.element.text).toContain('TZID:Europe/Paris');

    const res = await patch(proppatchBody(setProps('<c:calendar-timezone>BEGIN:VCALENDAR\r\nEND:VCALENDAR</c:calendar-timezone>')), CAL, ctx);
    const propstat = findChildren(findChild(parseXml(res.body ?? ''), D('response')), D('propstat'))[0];
    expect(findChild(propstat, D('status'))?.text).toContain('403');
    expect(findChild(findChild(propstat, D('error')), C('valid-calendar-data'))).toBeDefined();
  });

  it("decodes character references: Apple Calendar's timezone with CRLF written as &#13;, a description served back as sent", async () => {
    const ctx = makeCtx();
    const apple = TZ.split('\r\n').join('&#13;\n');
    expect((await patched(proppatchBody(setProps(`<c:calendar-timezone>${apple}</c:calendar-timezone>`)), CAL, ctx)).get(C('calendar-timezone'))?.status).toBe(200);
    const description = 'Line one&#13;&#x0A;Line two &amp;#13; stays text';
    expect((await patched(proppatchBody(setProps(`<c:calendar-description>${description}</c:calendar-description>`)), CAL, ctx)).get(C('calendar-description'))?.status).toBe(200);
    const back = (await readBack(ctx, 'c:calendar-description')).get(C('calendar-description'))?.element.text;
    expect(back).toBe('Line one\nLine two &#13; stays text');
  });

  it('is atomic: a protected property gets 403, the rest 424, and nothing is stored', async () => {
    const ctx = makeCtx();
    const res = await patch(
      proppatchBody(setProps('<d:displayname>Work</d:displayname><d:resourcetype><d:collection/></d:resourcetype><i:calendar-order>2</i:calendar-order>')),
      CAL,
      ctx,
    );
    expect(res.status).toBe(207);
    const props = parseMultistatus(res.body ?? '').responses.get(CAL)!;
    expect(statuses(props)).toEqual({
      [D('displayname')]: 424,
      [D('resourcetype')]: 403,
      [I('calendar-order')]: 424,
    });
    const forbidden = findChildren(findChild(parseXml(res.body ?? ''), D('response')), D('propstat')).find((ps) =>
      findChild(ps, D('status'))?.text.includes('403'),
    );
    expect(findChild(findChild(forbidden, D('error')), D('cannot-modify-protected-property'))).toBeDefined();
    expect(await ctx.store.getCalendar(ALICE)).toEqual({ seq: 0, props: {} });
  });

  it.each(['cs:getctag xmlns:cs="http://calendarserver.org/ns/"', 'd:sync-token', 'd:current-user-privilege-set', 'c:supported-calendar-component-set'])(
    'protects %s, also against remove',
    async (name) => {
      const props = await patched(proppatchBody(removeProps(`<${name}/>`)));
      expect([...props.values()].map((e) => e.status)).toEqual([403]);
    },
  );

  it('refuses malformed values with 409 and an over-long value with 507', async () => {
    const props = await patched(
      proppatchBody(
        setProps(
          '<i:calendar-color>red</i:calendar-color><i:calendar-order>first</i:calendar-order>' +
            `<c:calendar-description>${'x'.repeat(20000)}</c:calendar-description>`,
        ),
      ),
    );
    expect(statuses(props)).toEqual({
      [I('calendar-color')]: 409,
      [I('calendar-order')]: 409,
      [C('calendar-description')]: 507,
    });
  });

  it('keeps unknown text properties as dead properties', async () => {
    const ctx = makeCtx();
    const props = await patched(proppatchBody(setProps('<x:refresh xmlns:x="urn:example">PT1H</x:refresh>')), CAL, ctx);
    expect(props.get('{urn:example}refresh')?.status).toBe(200);
    expect((await readBack(ctx, 'x:refresh xmlns:x="urn:example"')).get('{urn:example}refresh')?.element.text).toBe('PT1H');

    await patched(proppatchBody(removeProps('<x:refresh xmlns:x="urn:example"/>')), CAL, ctx);
    expect((await readBack(ctx, 'x:refresh xmlns:x="urn:example"')).get('{urn:example}refresh')?.status).toBe(404);
  });

  it('refuses dead properties with element values, too long, or more than the limit', async () => {
    const long = await patched(proppatchBody(setProps(`<x:long xmlns:x="urn:x">${'é'.repeat(600)}</x:long>`)));
    expect(long.get('{urn:x}long')?.status).toBe(507);

    const structured = await patched(proppatchBody(setProps('<c:schedule-calendar-transp><c:opaque/></c:schedule-calendar-transp>')));
    expect(structured.get(C('schedule-calendar-transp'))?.status).toBe(403);

    const many = Array.from({ length: MAX_DEAD_PROPS + 1 }, (_, i) => `<x:p${i} xmlns:x="urn:x">v</x:p${i}>`).join('');
    const ctx = makeCtx();
    const props = await patched(proppatchBody(setProps(many)), CAL, ctx);
    expect(new Set([...props.values()].map((e) => e.status))).toEqual(new Set([507]));
    expect((await ctx.store.getCalendar(ALICE)).props).toEqual({});
  });

  it('does not advance the ctag', async () => {
    const ctx = makeCtx();
    await patched(proppatchBody(setProps('<d:displayname>Work</d:displayname>')), CAL, ctx);
    expect((await ctx.store.getCalendar(ALICE)).seq).toBe(0);
  });
});

describe('PROPPATCH elsewhere', () => {
  it('answers 207 with 403 per property on the home and the principal', async () => {
    for (const path of [HOME, '/principals/alice@example.com/']) {
      const ctx = makeCtx();
      const props = await patched(proppatchBody(setProps('<i:calendar-order>1</i:calendar-order><d:displayname>x</d:displayname>')), path, ctx);
      expect([...props.values()].map((e) => e.status)).toEqual([403, 403]);
    }
  });

  it('answers 404 for another user and for missing resources', async () => {
    const body = proppatchBody(setProps('<d:displayname>Mine</d:displayname>'));
    const ctx = makeCtx();
    expect((await patch(body, '/calendars/bob@example.com/crm/', ctx)).status).toBe(404);
    expect((await ctx.store.getCalendar(BOB)).props).toEqual({});
    expect((await patch(body, `${CAL}missing.ics`)).status).toBe(404);
    expect((await patch(body, `${HOME}local/`)).status).toBe(404);
  });

  it.each([
    ['an empty body', ''],
    ['malformed XML', '<d:propertyupdate xmlns:d="DAV:"><d:set>'],
    ['a wrong root', '<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>'],
    ['no property', '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop/></d:set></d:propertyupdate>'],
  ])('rejects %s with 400', async (_, body) => {
    expect((await patch(body)).status).toBe(400);
  });
});

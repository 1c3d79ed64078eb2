import { defaultColor } from '../../../lambda/core/props/calendar-settings';
import { formatSyncToken } from '../../../lambda/core/sync-token';
import { describe, expect, it } from 'vitest';
import { propfind } from '../../../lambda/core/methods/propfind';
import { NS } from '../../../lambda/core/namespaces';
import { parseXml, type XmlElement } from '../../../lambda/core/xml';
import { parseMultistatus } from '../../helpers/multistatus';
import { ALICE, BOB, call, makeCtx, propfindBody, seedObject } from './harness';

const D = (l: string) => `{${NS.DAV}}${l}`;
const C = (l: string) => `{${NS.CALDAV}}${l}`;
const CS = (l: string) => `{${NS.CS}}${l}`;
const I = (l: string) => `{${NS.APPLE}}${l}`;

const HOME = '/calendars/alice@example.com/';
const CAL = '/calendars/alice@example.com/crm/';
const PRINCIPAL = '/principals/alice@example.com/';

async function pf(path: string, body: string, depth = '0', ctx = makeCtx()) {
  return call(propfind, ctx, { method: 'PROPFIND', path, headers: { depth }, body });
}

async function ok(path: string, body: string, depth = '0', ctx = makeCtx()) {
  const res = await pf(path, body, depth, ctx);
  expect(res.status).toBe(207);
  expect(res.headers['content-type']).toMatch(/^application\/xml/);
  return parseMultistatus(res.body ?? '');
}

const hrefsIn = (e: XmlElement | undefined) =>
  (e?.children ?? []).filter((c) => c.name === D('href')).map((c) => c.text);
const childNames = (e: XmlElement | undefined) => (e?.children ?? []).map((c) => c.name);

describe('PROPFIND discovery (iOS sequence)', () => {
  it('answers current-user-principal on the root', async () => {
    const ms = await ok('/', propfindBody('d:current-user-principal', 'd:resourcetype'));
    const root = ms.responses.get('/')!;
    expect(root.get(D('current-user-principal'))?.status).toBe(200);
    expect(hrefsIn(root.get(D('current-user-principal'))?.element)).toEqual([PRINCIPAL]);
    expect(childNames(root.get(D('resourcetype'))?.element)).toEqual([D('collection')]);
  });

  it('answers the principal properties', async () => {
    const ms = await ok(
      PRINCIPAL,
      propfindBody(
        'c:calendar-home-set',
        'c:calendar-user-address-set',
        'd:principal-URL',
        'd:displayname',
        'd:supported-report-set',
        'd:resourcetype',
        'c:schedule-inbox-URL',
      ),
    );
    const p = ms.responses.get(PRINCIPAL)!;
    expect(hrefsIn(p.get(C('calendar-home-set'))?.element)).toEqual([HOME]);
    expect(hrefsIn(p.get(C('calendar-user-address-set'))?.element)).toEqual([`mailto:${ALICE}`, PRINCIPAL]);
    expect(hrefsIn(p.get(D('principal-URL'))?.element)).toEqual([PRINCIPAL]);
    expect(p.get(D('displayname'))?.element.text).toBe(ALICE);
    expect(p.get(D('supported-report-set'))?.status).toBe(200);
    expect(childNames(p.get(D('resourcetype'))?.element)).toEqual([D('collection'), D('principal')]);
    // Scheduling (RFC 6638 §2.2): what makes iOS offer Invitees.
    expect(hrefsIn(p.get(C('schedule-inbox-URL'))?.element)).toEqual([`${HOME}inbox/`]);
  });

  it('lists the one calendar with every property iOS reads at Depth 1 on the home', async () => {
    const ctx = makeCtx();
    await seedObject(ctx, ALICE, 'a.ics');
    const ms = await ok(
      HOME,
      propfindBody(
        'd:resourcetype',
        'd:displayname',
        'cs:getctag',
        'd:sync-token',
        'c:supported-calendar-component-set',
        'd:current-user-privilege-set',
        'i:calendar-color',
        'i:calendar-order',
        'd:owner',
        'c:max-resource-size',
        'c:supported-calendar-data',
      ),
      '1',
      ctx,
    );
    // The tasks list, the scheduling inbox and outbox are the home's other members (RFC 6638 §2.1, §2.2).
    expect([...ms.responses.keys()]).toEqual([HOME, CAL, `${HOME}tasks/`, `${HOME}inbox/`, `${HOME}outbox/`]);
    expect(childNames(ms.responses.get(HOME)!.get(D('resourcetype'))?.element)).toEqual([D('collection')]);

    const cal = ms.responses.get(CAL)!;
    expect(childNames(cal.get(D('resourcetype'))?.element)).toEqual([D('collection'), C('calendar')]);
    expect(cal.get(D('displayname'))?.element.text).toBe(ALICE);
    expect(cal.get(CS('getctag'))?.element.text).toBe('"1"');
    expect(cal.get(D('sync-token'))?.element.text).toBe(formatSyncToken(ALICE, 1));
    const comps = cal.get(C('supported-calendar-component-set'))!.element.children;
    expect(comps.map((c) => [c.name, c.attrs.name])).toEqual([[C('comp'), 'VEVENT']]);
    const privileges = cal
      .get(D('current-user-privilege-set'))!
      .element.children.map((p) => p.children[0]?.name);
    expect(privileges).toEqual(
      expect.arrayContaining([D('read'), D('write'), D('write-content'), D('write-properties'), D('bind'), D('unbind')]),
    );
    expect(cal.get(I('calendar-color'))?.element.text).toBe(defaultColor(ALICE));
    // Derived from the owner: stable per user, and not the same for every calendar.
    expect(defaultColor(ALICE.toUpperCase())).toBe(defaultColor(ALICE));
    expect(new Set(['a@x.example', 'b@x.example', 'c@x.example', 'd@x.example', 'e@x.example'].map((e) => defaultColor(e))).size).toBeGreaterThan(1);
    expect(cal.get(I('calendar-order'))?.element.text).toBe('1');
    expect(hrefsIn(cal.get(D('owner'))?.element)).toEqual([PRINCIPAL]);
    expect(cal.get(C('max-resource-size'))?.element.text).toBe(String(ctx.config.maxResourceSize));
    expect(cal.get(C('supported-calendar-data'))?.element.children[0]?.attrs).toEqual({
      'content-type': 'text/calendar',
      version: '2.0',
    });

    // The tasks list: exactly VTODO (what Reminders looks for), its own name, color, order and token.
    const tasks = ms.responses.get(`${HOME}tasks/`)!;
    expect(childNames(tasks.get(D('resourcetype'))?.element)).toEqual([D('collection'), C('calendar')]);
    expect(tasks.get(D('displayname'))?.element.text).toBe(`Tasks (${ALICE})`);
    expect(tasks.get(C('supported-calendar-component-set'))!.element.children.map((c) => c.attrs.name)).toEqual(['VTODO']);
    expect(tasks.get(CS('getctag'))?.element.text).toBe('"0"');
    expect(tasks.get(D('sync-token'))?.element.text).toBe(formatSyncToken(`${ALICE}#tasks`, 0));
    expect(tasks.get(D('sync-token'))?.element.text).not.toBe(formatSyncToken(ALICE, 0));
    expect(tasks.get(I('calendar-color'))?.element.text).toBe(defaultColor(ALICE, 'tasks'));
    expect(defaultColor(ALICE, 'tasks')).not.toBe(defaultColor(ALICE));
    expect(tasks.get(I('calendar-order'))?.element.text).toBe('2');
    expect(tasks.get(D('current-user-privilege-set'))!.element.children.map((p) => p.children[0]?.name)).toEqual(
      expect.arrayContaining([D('write'), D('write-content'), D('bind'), D('unbind')]),
    );
  });

  it('grants no write privilege on the home, so clients offer no calendar creation', async () => {
    const ms = await ok(HOME, propfindBody('d:current-user-privilege-set'));
    const privileges = ms.responses
      .get(HOME)!
      .get(D('current-user-privilege-set'))!
      .element.children.map((p) => p.children[0]?.name);
    expect(privileges).toContain(D('read'));
    expect(privileges).not.toContain(D('write'));
    expect(privileges).not.toContain(D('bind'));
  });

  it('advertises the three calendar reports on the calendar', async () => {
    const ms = await ok(CAL, propfindBody('d:supported-report-set'));
    const reports = ms.responses
      .get(CAL)!
      .get(D('supported-report-set'))!
      .element.children.map((sr) => sr.children[0]?.children[0]?.name);
    expect(reports.sort()).toEqual([C('calendar-multiget'), C('calendar-query'), D('sync-collection')].sort());
  });

  it('lists the objects of the calendar at Depth 1 with their etags', async () => {
    const ctx = makeCtx();
    const a = await seedObject(ctx, ALICE, 'a.ics');
    await seedObject(ctx, ALICE, 'b b.ics', 'b');
    const ms = await ok(CAL, propfindBody('d:getetag', 'd:getcontenttype', 'd:resourcetype'), '1', ctx);
    expect([...ms.responses.keys()].sort()).toEqual([CAL, `${CAL}a.ics`, `${CAL}b%20b.ics`]);
    const obj = ms.responses.get(`${CAL}a.ics`)!;
    expect(obj.get(D('getetag'))?.element.text).toBe(a.etag);
    expect(obj.get(D('getcontenttype'))?.element.text).toMatch(/^text\/calendar/);
    expect(ms.responses.get(CAL)!.get(D('getetag'))?.status).toBe(404);
  });

  it('answers a single object at Depth 0 and 404 for a missing one', async () => {
    const ctx = makeCtx();
    await seedObject(ctx, ALICE, 'a.ics');
    const ms = await ok(`${CAL}a.ics`, propfindBody('d:getetag', 'd:current-user-principal'), '0', ctx);
    expect(ms.responses.get(`${CAL}a.ics`)!.get(D('current-user-principal'))?.status).toBe(200);
    expect((await pf(`${CAL}missing.ics`, propfindBody('d:getetag'), '0', ctx)).status).toBe(404);
  });

  it('shows only the current user in the principal collection', async () => {
    const ms = await ok('/principals/', propfindBody('d:resourcetype'), '1');
    expect([...ms.responses.keys()]).toEqual(['/principals/', PRINCIPAL]);
  });

  it('keeps the root Depth 1 listing minimal', async () => {
    const ms = await ok('/', propfindBody('d:resourcetype'), '1');
    expect([...ms.responses.keys()]).toEqual(['/', '/principals/']);
  });

  it('accepts a percent-decoded path with upper-case e-mail and answers the canonical href', async () => {
    const ms = await ok('/calendars/Alice@Example.com/crm', propfindBody('d:displayname'));
    expect([...ms.responses.keys()]).toEqual([CAL]);
  });
});

describe('PROPFIND request forms', () => {
  it('treats an empty body as allprop, leaving out the costly properties', async () => {
    const ms = await ok(CAL, '');
    const cal = ms.responses.get(CAL)!;
    expect(cal.get(D('displayname'))?.status).toBe(200);
    expect(cal.get(CS('getctag'))?.status).toBe(200);
    expect(cal.has(D('current-user-privilege-set'))).toBe(false);
    expect(cal.has(D('sync-token'))).toBe(false);
    for (const entry of cal.values()) expect(entry.status).toBe(200);
  });

  it('adds DAV:include names to allprop', async () => {
    const body = `<d:propfind xmlns:d="DAV:"><d:allprop/><d:include><d:sync-token/></d:include></d:propfind>`;
    const cal = (await ok(CAL, body)).responses.get(CAL)!;
    expect(cal.get(D('sync-token'))?.status).toBe(200);
    expect(cal.get(D('resourcetype'))?.status).toBe(200);
  });

  it('lists names without values for propname', async () => {
    const cal = (await ok(CAL, `<d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>`)).responses.get(CAL)!;
    expect(cal.get(D('sync-token'))).toMatchObject({ status: 200 });
    expect(cal.get(D('sync-token'))?.element.text).toBe('');
    expect(cal.has(C('calendar-description'))).toBe(false); // not set yet
    expect(cal.has(I('calendar-color'))).toBe(true);
  });

  it('reports unknown properties as 404 inside the 207', async () => {
    const ms = await ok(CAL, propfindBody('d:displayname', 'x:nonsense xmlns:x="urn:x"'));
    const cal = ms.responses.get(CAL)!;
    expect(cal.get('{urn:x}nonsense')?.status).toBe(404);
    expect(cal.get(D('displayname'))?.status).toBe(200);
  });

  it('refuses Depth infinity, and a missing Depth, with propfind-finite-depth', async () => {
    for (const depth of ['infinity', undefined]) {
      const res = await call(propfind, makeCtx(), {
        method: 'PROPFIND',
        path: HOME,
        headers: depth ? { depth } : {},
        body: '',
      });
      expect(res.status).toBe(403);
      expect(parseXml(res.body ?? '').children[0]?.name).toBe(D('propfind-finite-depth'));
    }
  });

  it('rejects a bad Depth value and malformed or foreign XML with 400', async () => {
    expect((await pf(CAL, '', '2')).status).toBe(400);
    expect((await pf(CAL, '<d:propfind xmlns:d="DAV:"><d:prop>')).status).toBe(400);
    expect((await pf(CAL, '<d:propertyupdate xmlns:d="DAV:"/>')).status).toBe(400);
    expect((await pf(CAL, '<d:propfind xmlns:d="DAV:"/>')).status).toBe(400);
  });
});

describe('PROPFIND access', () => {
  it.each([
    '/principals/bob@example.com/',
    '/calendars/bob@example.com/',
    '/calendars/bob@example.com/crm/',
    '/calendars/bob@example.com/crm/a.ics',
  ])('answers 404 with no data for %s', async (path) => {
    const ctx = makeCtx();
    await ctx.store.patchCalendarProps(BOB, { [D('displayname')]: 'Bob secret' }, []);
    const res = await pf(path, propfindBody('d:displayname'), '1', ctx);
    expect(res.status).toBe(404);
    expect(res.body ?? '').not.toContain('secret');
  });

  it('answers 404 for a device-local calendar path and unknown paths', async () => {
    expect((await pf(`${HOME}local-cal/`, '')).status).toBe(404);
    expect((await pf('/nowhere/', '')).status).toBe(404);
  });
});

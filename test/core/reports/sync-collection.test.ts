import { describe, expect, it } from 'vitest';
import { report } from '../../../lambda/core/methods/report';
import { hrefs } from '../../../lambda/core/paths';
import { formatSyncToken } from '../../../lambda/core/sync-token';
import { parseMultistatus } from '../../helpers/multistatus';
import { ALICE, BOB, call, makeCtx } from '../methods/harness';
import { event, reportBody, store } from './helpers';

type Ctx = ReturnType<typeof makeCtx>;
const D = '{DAV:}';
const CALDATA = '{urn:ietf:params:xml:ns:caldav}calendar-data';

const syncBody = (token: string, opts: { limit?: number; props?: string; level?: string } = {}) =>
  reportBody(
    'd:sync-collection',
    `<d:sync-token>${token}</d:sync-token><d:sync-level>${opts.level ?? '1'}</d:sync-level>` +
      (opts.limit ? `<d:limit><d:nresults>${opts.limit}</d:nresults></d:limit>` : '') +
      `<d:prop>${opts.props ?? '<d:getetag/>'}</d:prop>`,
  );

const put = (ctx: Ctx, name: string, version = 1) =>
  store(ctx, ALICE, name, event(`UID:${name}`, 'DTSTAMP:20250101T000000Z', 'DTSTART:20250110T090000Z', `SUMMARY:${name} v${version}`));

async function sync(ctx: Ctx, token: string, opts: Parameters<typeof syncBody>[1] & { depth?: string } = {}) {
  const headers: Record<string, string> = opts.depth === undefined ? {} : { depth: opts.depth };
  const res = await call(report, ctx, { method: 'REPORT', path: hrefs.calendar(ALICE), headers, body: syncBody(token, opts) });
  if (res.status !== 207) return { status: res.status, body: res.body ?? '', changed: new Map<string, string>(), removed: [] as string[], token: '', truncated: false, hrefs: [] as string[] };
  const ms = parseMultistatus(res.body ?? '');
  const changed = new Map<string, string>();
  const removed: string[] = [];
  let truncated = false;
  for (const [href, props] of ms.responses) {
    const status = ms.statuses.get(href);
    if (href === hrefs.calendar(ALICE)) {
      truncated = status === 507;
      continue;
    }
    const name = decodeURIComponent(href.split('/').pop() ?? '');
    if (status === 404) removed.push(name);
    else changed.set(name, props.get(`${D}getetag`)?.element.text ?? '');
  }
  const hrefList = [...(res.body ?? '').matchAll(/<d:href>([^<]*)<\/d:href>/g)].map((m) => m[1]);
  return { status: res.status, body: res.body ?? '', changed, removed, token: ms.syncToken ?? '', truncated, hrefs: hrefList };
}

/** A client's copy: name → etag. Follows 507 continuations until complete; returns page count. */
async function syncUntilComplete(ctx: Ctx, client: Map<string, string>, token: string, limit?: number) {
  let pages = 0;
  for (;;) {
    const page = await sync(ctx, token, { limit });
    expect(page.status).toBe(207);
    expect(new Set(page.hrefs).size).toBe(page.hrefs.length); // no duplicate within a page
    if (limit) expect(page.changed.size + page.removed.length).toBeLessThanOrEqual(limit);
    for (const [name, etag] of page.changed) client.set(name, etag);
    for (const name of page.removed) client.delete(name);
    token = page.token;
    pages++;
    if (!page.truncated) return { token, pages };
    expect(pages).toBeLessThan(100);
  }
}

async function serverState(ctx: Ctx) {
  return new Map((await ctx.store.listObjects(ALICE)).map((o) => [o.name, o.etag]));
}

describe('sync-collection: initial and incremental', () => {
  it('an empty token lists every member with its etag and the current token', async () => {
    const ctx = makeCtx(ALICE);
    const a = await put(ctx, 'a.ics');
    const b = await put(ctx, 'b.ics');
    await store(ctx, BOB, 'bob.ics', event('UID:bob', 'DTSTAMP:20250101T000000Z', 'DTSTART:20250110T090000Z'));
    const first = await sync(ctx, '');
    expect(first.changed).toEqual(new Map([['a.ics', a.etag], ['b.ics', b.etag]]));
    expect(first.removed).toEqual([]);
    expect(first.token).toBe(formatSyncToken(ALICE, 2));
    expect(first.truncated).toBe(false);
  });

  it('an empty calendar syncs to token 0', async () => {
    const first = await sync(makeCtx(ALICE), '');
    expect(first.changed.size).toBe(0);
    expect(first.token).toBe(formatSyncToken(ALICE, 0));
  });

  it('reports changes since the token, collapsed per name, deletions as 404', async () => {
    const ctx = makeCtx(ALICE);
    await put(ctx, 'keep.ics');
    await put(ctx, 'edit.ics');
    await put(ctx, 'drop.ics');
    const { token } = await sync(ctx, '');
    await put(ctx, 'edit.ics', 2);
    const edited = await put(ctx, 'edit.ics', 3);
    const added = await put(ctx, 'new.ics');
    await ctx.store.deleteObject(ALICE, 'drop.ics');
    await put(ctx, 'flash.ics');
    await ctx.store.deleteObject(ALICE, 'flash.ics');
    const next = await sync(ctx, token);
    expect(next.changed).toEqual(new Map([['edit.ics', edited.etag], ['new.ics', added.etag]]));
    expect(next.removed.sort()).toEqual(['drop.ics', 'flash.ics']);
    expect(next.hrefs).toHaveLength(4);
    expect(next.body).toContain('<d:status>HTTP/1.1 404 Not Found</d:status>');
    expect(next.token).toBe(formatSyncToken(ALICE, 9));
    const idle = await sync(ctx, next.token);
    expect(idle.hrefs).toEqual([]);
    expect(idle.token).toBe(next.token);
  });

  it('returns calendar-data when asked', async () => {
    const ctx = makeCtx(ALICE);
    await put(ctx, 'a.ics');
    const res = await call(report, ctx, {
      method: 'REPORT',
      path: hrefs.calendar(ALICE),
      body: syncBody('', { props: '<d:getetag/><c:calendar-data/>' }),
    });
    const props = parseMultistatus(res.body ?? '').responses.get(hrefs.object(ALICE, 'a.ics'));
    expect(props?.get(CALDATA)?.element.text).toContain('SUMMARY:a.ics v1');
  });

  it('ignores Depth and accepts sync-level infinite (the calendar has no child collections)', async () => {
    const ctx = makeCtx(ALICE);
    await put(ctx, 'a.ics');
    for (const depth of [undefined, '0', '1']) expect((await sync(ctx, '', { depth })).changed.size).toBe(1);
    expect((await sync(ctx, '', { level: 'infinite' })).changed.size).toBe(1);
    expect((await sync(ctx, '', { level: '2' })).status).toBe(400);
  });
});

describe('sync-collection: invalid tokens', () => {
  it.each([
    ['a token of another format', 'http://example.com/sync/5'],
    ['garbage', 'urn:crm-caldav:sync:abc'],
    ['a token without its calendar (the format before tokens named one)', 'urn:crm-caldav:sync:1'],
    ['a token from the future', formatSyncToken(ALICE, 99)],
    ['a continuation from the future', `${formatSyncToken(ALICE, 99)}?after=a.ics`],
    ["another calendar's token", formatSyncToken(BOB, 1)],
    ["another calendar's continuation", `${formatSyncToken(BOB, 0)}?after=a.ics`],
  ])('%s is 403 valid-sync-token', async (_, token) => {
    const ctx = makeCtx(ALICE);
    await put(ctx, 'a.ics');
    const res = await sync(ctx, token);
    expect(res.status).toBe(403);
    expect(res.body).toContain('valid-sync-token');
  });

  it('an expired token is 403 valid-sync-token', async () => {
    const ctx = makeCtx(ALICE);
    await put(ctx, 'a.ics');
    const { token } = await sync(ctx, '');
    await put(ctx, 'b.ics');
    await put(ctx, 'c.ics');
    ctx.store.expireChangesThrough(ALICE, 2);
    const res = await sync(ctx, token);
    expect(res.status).toBe(403);
    expect(res.body).toContain('valid-sync-token');
  });

  it('a non-positive nresults is 400', async () => {
    const ctx = makeCtx(ALICE);
    const res = await call(report, ctx, {
      method: 'REPORT',
      path: hrefs.calendar(ALICE),
      body: reportBody('d:sync-collection', '<d:sync-token/><d:sync-level>1</d:sync-level><d:limit><d:nresults>0</d:nresults></d:limit><d:prop><d:getetag/></d:prop>'),
    });
    expect(res.status).toBe(400);
  });
});

describe('sync-collection: DAV:limit (RFC 6578 §3.6)', () => {
  it('initial listing: 507 on the request-URI, then continuation pages until complete', async () => {
    const ctx = makeCtx(ALICE);
    for (const n of ['a', 'b', 'c', 'd', 'e']) await put(ctx, `${n}.ics`);
    const first = await sync(ctx, '', { limit: 2 });
    expect([...first.changed.keys()]).toEqual(['a.ics', 'b.ics']);
    expect(first.truncated).toBe(true);
    expect(first.body).toContain('HTTP/1.1 507 Insufficient Storage</d:status><d:error><d:number-of-matches-within-limits/>');
    const client = new Map(first.changed);
    const { token, pages } = await syncUntilComplete(ctx, client, first.token, 2);
    expect(pages).toBe(2); // c d | e
    expect(client).toEqual(await serverState(ctx));
    expect(token).toBe(formatSyncToken(ALICE, 5));
  });

  it('continuation tokens carry any object name', async () => {
    const ctx = makeCtx(ALICE);
    const odd = ['a?b&c=%25.ics', 'ü ñ.ics', 'z#1.ics', 'ä.ics'];
    for (const n of odd) await put(ctx, n);
    const client = new Map<string, string>();
    const { pages } = await syncUntilComplete(ctx, client, '', 1);
    expect(pages).toBe(4);
    expect(client).toEqual(await serverState(ctx));
  });

  it('exactly N results is not truncated', async () => {
    const ctx = makeCtx(ALICE);
    for (const n of ['a', 'b']) await put(ctx, `${n}.ics`);
    const page = await sync(ctx, '', { limit: 2 });
    expect(page.truncated).toBe(false);
    expect(page.token).toBe(formatSyncToken(ALICE, 2));
  });

  it('initial listing survives edits between pages: nothing missed, deletions of listed names reported', async () => {
    const ctx = makeCtx(ALICE);
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) await put(ctx, `${n}.ics`);
    const client = new Map<string, string>();
    const first = await sync(ctx, '', { limit: 2 }); // a b
    for (const [k, v] of first.changed) client.set(k, v);
    await put(ctx, 'a.ics', 2); // already listed: must come back as a change
    await ctx.store.deleteObject(ALICE, 'b.ics'); // already listed: must come back as a removal
    await ctx.store.deleteObject(ALICE, 'd.ics'); // not listed yet: simply never appears
    await put(ctx, '0.ics'); // sorts before the position: must come as a change
    await put(ctx, 'z.ics'); // sorts after: comes with the listing
    const second = await sync(ctx, first.token, { limit: 2 });
    expect(second.truncated).toBe(true);
    for (const [k, v] of second.changed) client.set(k, v);
    for (const k of second.removed) client.delete(k);
    await syncUntilComplete(ctx, client, second.token, 2);
    expect(client).toEqual(await serverState(ctx));
  });

  it('incremental: the oldest changes first, each page resuming after the last one included', async () => {
    const ctx = makeCtx(ALICE);
    for (const n of ['a', 'b', 'c']) await put(ctx, `${n}.ics`);
    const client = new Map<string, string>();
    const { token } = await syncUntilComplete(ctx, client, '');
    await put(ctx, 'c.ics', 2); // seq 4
    await put(ctx, 'd.ics'); // 5
    await ctx.store.deleteObject(ALICE, 'a.ics'); // 6
    await put(ctx, 'c.ics', 3); // 7: c's latest change moves behind a
    await put(ctx, 'e.ics'); // 8
    const page = await sync(ctx, token, { limit: 2 });
    expect(page.truncated).toBe(true);
    expect([...page.changed.keys()]).toEqual(['d.ics']);
    expect(page.removed).toEqual(['a.ics']);
    expect(page.token).toBe(formatSyncToken(ALICE, 6));
    for (const [k, v] of page.changed) client.set(k, v);
    for (const k of page.removed) client.delete(k);
    const rest = await syncUntilComplete(ctx, client, page.token, 2);
    expect(rest.pages).toBe(1);
    expect(rest.token).toBe(formatSyncToken(ALICE, 8));
    expect(client).toEqual(await serverState(ctx));
  });

  it('random edits interleaved with limited syncs always converge without duplicates', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const ctx = makeCtx(ALICE);
      const names = Array.from({ length: 12 }, (_, i) => `n${String(i).padStart(2, '0')}.ics`);
      const mutate = async () => {
        const name = names[Math.floor(random() * names.length)];
        if ((await ctx.store.getObject(ALICE, name)) && random() < 0.4) await ctx.store.deleteObject(ALICE, name);
        else await put(ctx, name, Math.floor(random() * 1000));
      };
      for (let i = 0; i < 8; i++) await mutate();
      const client = new Map<string, string>();
      let token = '';
      for (let step = 0; step < 60; step++) {
        const page = await sync(ctx, token, { limit: 1 + Math.floor(random() * 3) });
        expect(page.status).toBe(207);
        expect(new Set(page.hrefs).size).toBe(page.hrefs.length);
        for (const [k, v] of page.changed) client.set(k, v);
        for (const k of page.removed) client.delete(k);
        token = page.token;
        if (random() < 0.5) await mutate();
      }
      await syncUntilComplete(ctx, client, token);
      expect(client).toEqual(await serverState(ctx));
    }
  });
});

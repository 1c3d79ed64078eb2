/**
 * Drives core methods in-process the way the HTTP layer does: a DavError becomes its response.
 */
import { DavError } from '../../../lambda/core/errors';
import { errorResponse } from '../../../lambda/core/responses';
import { DEFAULT_CONFIG, type DavContext, type CoreMethod, type DavResponse } from '../../../lambda/core/types';
import { MemoryCalendarStore } from '../../../lambda/store/memory';
import type { StoredObject } from '../../../lambda/store/types';

export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';

export function makeCtx(email = ALICE, store = new MemoryCalendarStore()): DavContext & { store: MemoryCalendarStore } {
  return { user: { email }, store, config: DEFAULT_CONFIG, now: () => new Date('2025-01-15T10:00:00Z') };
}

export async function call(
  method: CoreMethod,
  ctx: DavContext,
  req: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<DavResponse> {
  try {
    return await method({ headers: {}, body: '', ...req }, ctx);
  } catch (err) {
    if (err instanceof DavError) return errorResponse(err);
    throw err;
  }
}

const NS_DECL = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:i="http://apple.com/ns/ical/"';

/** A PROPFIND body asking for prefixed names such as `d:displayname`, `cs:getctag`. */
export const propfindBody = (...names: string[]) =>
  `<?xml version="1.0"?><d:propfind ${NS_DECL}><d:prop>${names.map((n) => `<${n}/>`).join('')}</d:prop></d:propfind>`;

/** A PROPPATCH body from raw `<d:set>…</d:set>` / `<d:remove>…</d:remove>` fragments. */
export const proppatchBody = (...parts: string[]) =>
  `<?xml version="1.0"?><d:propertyupdate ${NS_DECL}>${parts.join('')}</d:propertyupdate>`;

export const setProps = (inner: string) => `<d:set><d:prop>${inner}</d:prop></d:set>`;
export const removeProps = (inner: string) => `<d:remove><d:prop>${inner}</d:prop></d:remove>`;

export async function seedObject(ctx: DavContext, owner: string, name: string, uid = name.replace(/\.ics$/, '')) {
  const ics = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250110T090000Z\r\nDTEND:20250110T100000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
  const obj: StoredObject = {
    name,
    uid,
    etag: `"etag-${uid}"`,
    ics,
    lastModified: '2025-01-01T00:00:00.000Z',
    size: Buffer.byteLength(ics),
    rangeStart: Date.UTC(2025, 0, 10, 9),
    rangeEnd: Date.UTC(2025, 0, 10, 10),
    recurring: false,
  };
  await ctx.store.putObject(owner, obj);
  return obj;
}

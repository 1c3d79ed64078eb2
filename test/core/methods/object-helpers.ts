/** Shared pieces of the GET/HEAD/PUT/DELETE tests. */
import { readFileSync } from 'node:fs';
import type { DavContext, DavResponse } from '../../../lambda/core/types';
import { put } from '../../../lambda/core/methods/put';
import { findChild, parseXml } from '../../../lambda/core/xml';
import { ALICE, call } from './harness';

export const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/ics/${name}`, import.meta.url), 'utf8').replace(/\r?\n/g, '\r\n');

export const objectPath = (name: string, email = ALICE) => `/calendars/${email}/crm/${name}`;

/** A minimal valid event. */
export const eventIcs = (uid: string, summary = 'Call') =>
  [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN',
    'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20250101T000000Z', 'DTSTART:20250301T100000Z',
    'DTEND:20250301T110000Z', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');

export const putIcs = (ctx: DavContext, path: string, body: string, headers: Record<string, string> = {}) =>
  call(put, ctx, { method: 'PUT', path, body, headers: { 'content-type': 'text/calendar; charset=utf-8', ...headers } });

/** The DAV:error of a response: its condition element (first child) and responsedescription. */
export function davError(res: DavResponse) {
  const root = parseXml(res.body ?? '');
  if (root.name !== '{DAV:}error') throw new Error(`not a DAV:error: ${root.name}`);
  return { condition: root.children[0], description: findChild(root, '{DAV:}responsedescription')?.text ?? '' };
}

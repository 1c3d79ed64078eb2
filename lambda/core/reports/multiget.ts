/**
 * CALDAV:calendar-multiget (RFC 4791 §7.9): the requested properties of each href. An href that
 * is not one of the user's own objects gets a 404, whoever owns it, so nothing leaks.
 */
import { UTC_CONTEXT } from '../filter/zones';
import { hrefToPath, listKey, resolvePath, type ListRef } from '../paths';
import { D } from '../namespaces';
import { multistatus } from '../responses';
import type { DavContext, DavResponse } from '../types';
import { findChildren, type XmlElement } from '../xml';
import { objectResponses, reportProps, statusResponse, zonesFor } from './objects';

/** `at`: the collection the report is on; hrefs into any other collection are 404 entries. */
export async function calendarMultiget(root: XmlElement, at: ListRef, ctx: DavContext): Promise<DavResponse> {
  const props = reportProps(root);
  const key = listKey(at);
  const requested = findChildren(root, D('href')).map((h) => {
    const path = hrefToPath(h.text);
    const node = path === null ? null : resolvePath(path);
    return { href: h.text.trim(), name: node?.kind === 'object' && node.email === at.email && node.list === at.list ? node.name : null };
  });
  const names = [...new Set(requested.flatMap((r) => (r.name === null ? [] : [r.name])))];
  const objects = new Map((await ctx.store.getObjects(key, names)).map((o) => [o.name, o]));
  // Floating times only matter when the data is reshaped; skip the calendar read otherwise.
  const reshaped = props.calendarData?.expand || props.calendarData?.limitRecurrenceSet;
  const zones = reshaped ? zonesFor(await ctx.store.getCalendar(key)) : UTC_CONTEXT;
  const responseOf = objectResponses(at, props, ctx, zones);
  return multistatus(
    requested.map(({ href, name }) => {
      const object = name === null ? undefined : objects.get(name);
      return object ? responseOf(object) : statusResponse(href, 404);
    }),
  );
}

/**
 * A calendar object's DAV:response, serialized once and kept beside the object for as long as
 * the object is (the listing cache's summaries are the same instances from one request to the
 * next): a device re-listing 2,000 unchanged objects pays for joining strings, not for building
 * and serializing 2,000 trees (bench/README.md, "CPU per request").
 *
 * Kept per object is only the last request shape it was answered for: one device asks the same
 * properties every time. The key holds everything the response depends on: the href, the ETag
 * (which changes with the content, the size and the time), the properties asked for and who asks.
 */
import { preSerialize, type XmlElement } from '../xml';
import type { PropContext, PropRequest } from './types';

const kept = new WeakMap<object, { key: string; response: XmlElement }>();

/** What a response depends on besides its object: computed once per request. */
export const requestShape = (request: PropRequest, ctx: PropContext): string => `${ctx.user.email}\n${JSON.stringify(request)}`;

export function keptResponse(object: { etag: string }, href: string, shape: string, build: () => XmlElement): XmlElement {
  const key = `${href}\n${object.etag}\n${shape}`;
  const hit = kept.get(object);
  if (hit?.key === key) return hit.response;
  const built = build();
  const response = preSerialize(built) ?? built;
  kept.set(object, { key, response });
  return response;
}

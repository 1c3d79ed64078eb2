/**
 * Conditional requests on one calendar object (RFC 7232 §3.1, §3.2, §3.3, §6): If-Match,
 * If-None-Match and If-Modified-Since, evaluated against the current ETag (null when absent).
 */
import { preconditionFailed } from '../errors';
import type { WriteCondition } from '../../store/types';

interface EntityTag {
  weak: boolean;
  /** Quoted opaque tag, e.g. `"abc"`. */
  tag: string;
}

type TagList = '*' | EntityTag[];

export interface Preconditions {
  ifMatch?: TagList;
  ifNoneMatch?: TagList;
  ifModifiedSince?: number;
}

export function readPreconditions(headers: Record<string, string>): Preconditions {
  const since = headers['if-modified-since'] ? Date.parse(headers['if-modified-since']) : NaN;
  return {
    ifMatch: parseTagList(headers['if-match']),
    ifNoneMatch: parseTagList(headers['if-none-match']),
    ifModifiedSince: Number.isNaN(since) ? undefined : since,
  };
}

function parseTagList(value: string | undefined): TagList | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  for (const m of value.matchAll(/(W\/)?("[^"]*"|[^,\s]+)/g)) {
    // Some clients drop the quotes; our tags never contain any, so quoting them back is safe.
    const tag = m[2].startsWith('"') ? m[2] : `"${m[2]}"`;
    tags.push({ weak: m[1] !== undefined, tag });
  }
  return tags;
}

const strongMatch = (list: EntityTag[], current: string) => list.some((t) => !t.weak && t.tag === current);
const weakMatch = (list: EntityTag[], current: string) => list.some((t) => t.tag === current);

const ifMatchHolds = (list: TagList, current: string | null) =>
  current !== null && (list === '*' || strongMatch(list, current));
const ifNoneMatchHolds = (list: TagList, current: string | null) =>
  current === null || (list !== '*' && !weakMatch(list, current));

export const hasWritePreconditions = (pre: Preconditions) =>
  pre.ifMatch !== undefined || pre.ifNoneMatch !== undefined;

/**
 * The store condition that means exactly the same as these preconditions, when there is one:
 * `If-Match` with one strong tag or `*`, or `If-None-Match: *`, alone (what iOS and every
 * client we know send). The store then checks them on its own read, and the write needs no
 * read of its own first. Undefined for anything else (tag lists, weak tags, both headers).
 */
export function asStoreCondition(pre: Preconditions): WriteCondition | undefined {
  if (pre.ifMatch !== undefined && pre.ifNoneMatch === undefined) {
    if (pre.ifMatch === '*') return { ifMatch: '*' };
    const [only, ...rest] = pre.ifMatch;
    return only && !only.weak && rest.length === 0 ? { ifMatch: only.tag } : undefined;
  }
  if (pre.ifNoneMatch === '*' && pre.ifMatch === undefined) return { ifNoneMatch: true };
  return undefined;
}

/** PUT and DELETE: throws 412 unless the preconditions hold for the current state. */
export function checkWritePreconditions(pre: Preconditions, current: string | null): void {
  if (pre.ifMatch !== undefined && !ifMatchHolds(pre.ifMatch, current)) {
    throw preconditionFailed(
      current === null ? 'If-Match: the resource does not exist' : 'If-Match: the ETag has changed',
    );
  }
  if (pre.ifNoneMatch !== undefined && !ifNoneMatchHolds(pre.ifNoneMatch, current)) {
    throw preconditionFailed('If-None-Match: the resource already exists');
  }
}

/**
 * The store condition that pins the state the preconditions were checked against, so a write
 * racing in between makes the store refuse instead of being silently overwritten.
 */
export const pinState = (current: string | null): WriteCondition =>
  current === null ? { ifNoneMatch: true } : { ifMatch: current };

/**
 * GET and HEAD on an existing resource: true when the client's copy is current (answer 304);
 * throws 412 when If-Match fails. If-Modified-Since counts only without If-None-Match.
 */
export function isNotModified(pre: Preconditions, current: string, lastModified: Date): boolean {
  if (pre.ifMatch !== undefined && !ifMatchHolds(pre.ifMatch, current)) {
    throw preconditionFailed('If-Match: the ETag has changed');
  }
  if (pre.ifNoneMatch !== undefined) return !ifNoneMatchHolds(pre.ifNoneMatch, current);
  if (pre.ifModifiedSince !== undefined) {
    // HTTP dates have whole seconds: compare at that resolution.
    return Math.floor(lastModified.getTime() / 1000) * 1000 <= pre.ifModifiedSince;
  }
  return false;
}

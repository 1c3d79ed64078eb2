/**
 * DAV:sync-collection (RFC 6578 §3) on the calendar or the tasks list.
 *
 * A request starts from a position: names up to `after` are known to the client as of `seq`
 * (all names for a plain token, none for the empty token), later names not at all. The answer is
 * the changes since `seq` among the known names, collapsed to one per name, then a listing of
 * the unknown names. With DAV:limit the answer is cut after N entries (RFC 6578 §3.6: 507 on the
 * request-URI) and the token continues exactly where it stopped, so paging never skips a change.
 */
import { badRequest, forbidden } from '../errors';
import { hrefs, listKey, type ListRef } from '../paths';
import { D } from '../namespaces';
import { multistatus } from '../responses';
import { formatSyncPosition, parseSyncPosition, type SyncPosition } from '../sync-token';
import type { DavContext, DavResponse } from '../types';
import { el, findChild, type XmlElement } from '../xml';
import type { Change, ObjectSummary } from '../../store/types';
import { needsText, objectResponses, reportProps, statusResponse, zonesFor } from './objects';

const invalidToken = () => forbidden('Unknown or expired sync token', D('valid-sync-token'));

export async function syncCollection(root: XmlElement, at: ListRef, ctx: DavContext): Promise<DavResponse> {
  const props = reportProps(root);
  // The store key names the collection in its tokens, so a calendar's token is unknown to the tasks list.
  const key = listKey(at);
  const from = startPosition(key, findChild(root, D('sync-token'))?.text.trim() ?? '');
  checkSyncLevel(findChild(root, D('sync-level'))?.text.trim());
  const limit = parseLimit(findChild(root, D('limit')));

  // The counter is what the answer is as of: whatever changes after it is reported next time.
  // The log is read alongside it, up to the number it turns out to hold (one round trip).
  const reading = ctx.store.getCalendar(key);
  const log = from.after === '' ? null : ctx.store.changesSince(key, from.seq, reading.then((m) => m.seq));
  log?.catch(() => undefined); // awaited below unless the token is refused first
  const meta = await reading;
  if (from.seq > meta.seq) throw invalidToken();
  const changes = log ? knownChanges(await log, from) : [];
  const unknown = from.after === null ? [] : await unlistedObjects(key, from.after, meta.seq, ctx);

  let includedChanges = changes;
  let includedListing = unknown;
  let next: SyncPosition;
  const truncated = limit !== null && changes.length + unknown.length > limit;
  if (truncated && limit <= changes.length) {
    includedChanges = changes.slice(0, limit);
    includedListing = [];
    next = { seq: includedChanges[includedChanges.length - 1].seq, after: from.after };
  } else if (truncated) {
    includedListing = unknown.slice(0, limit - changes.length);
    next = { seq: meta.seq, after: includedListing[includedListing.length - 1].name };
  } else if (from.after === null) {
    // An incremental sync ends at the last change it reported.
    next = { seq: changes.length ? changes[changes.length - 1].seq : from.seq, after: null };
  } else {
    next = { seq: meta.seq, after: null };
  }

  const zones = zonesFor(meta);
  // Without calendar data asked for, the log's own summaries answer (each name's latest entry
  // is its state at the token returned), so the objects need no read; entries logged before
  // summaries were, or a request for the text, read the objects instead.
  const fromLog = !needsText(props) && includedChanges.every((c) => c.deleted || c.summary);
  const changedNames = fromLog ? [] : includedChanges.map((c) => c.name);
  const listedNames = needsText(props) ? includedListing.map((o) => o.name) : [];
  const toLoad = [...changedNames, ...listedNames];
  const loaded = new Map(toLoad.length ? (await ctx.store.getObjects(key, toLoad)).map((o) => [o.name, o]) : []);
  const responseOf = objectResponses(at, props, ctx, zones);
  const changedResponseOf = objectResponses(at, props, ctx, zones, true);
  const responses = [
    ...includedChanges.map((change) => {
      // Read objects: existence now decides, not the logged flag (a name changed then deleted is a removal).
      const object = fromLog ? (change.deleted ? undefined : change.summary) : loaded.get(change.name);
      return object ? changedResponseOf(object) : statusResponse(hrefs.object(at.email, change.name, at.list), 404);
    }),
    // A listed object deleted in the meantime was never known to the client: just skip it.
    ...includedListing.flatMap((summary) => {
      const object = needsText(props) ? loaded.get(summary.name) : summary;
      return object ? [responseOf(object)] : [];
    }),
  ];
  if (truncated) {
    const more = statusResponse(hrefs.calendar(at.email, at.list), 507);
    more.children.push(el(D('error'), el(D('number-of-matches-within-limits'))));
    responses.push(more);
  }
  return multistatus(responses, [el(D('sync-token'), formatSyncPosition(key, next))]);
}

function startPosition(email: string, token: string): SyncPosition {
  if (token === '') return { seq: 0, after: '' };
  const position = parseSyncPosition(email, token);
  if (!position) throw invalidToken();
  return position;
}

/** The calendar has no child collections, so "infinite" lists exactly what "1" lists. */
function checkSyncLevel(level: string | undefined) {
  if (level !== undefined && level !== '1' && level !== 'infinite') {
    throw badRequest(`Invalid DAV:sync-level ${level}`);
  }
}

function parseLimit(limit: XmlElement | undefined): number | null {
  if (!limit) return null;
  const text = findChild(limit, D('nresults'))?.text.trim() ?? '';
  if (!/^\d+$/.test(text) || Number(text) < 1) throw badRequest('DAV:nresults must be a positive integer');
  return Number(text);
}

/** Latest change per already-known name, oldest first. */
function knownChanges(log: Change[] | null, from: SyncPosition): Change[] {
  if (log === null) throw invalidToken();
  const latest = new Map<string, Change>();
  for (const change of log) {
    if (from.after !== null && change.name > from.after) continue;
    latest.delete(change.name); // re-insert so that Map order follows the latest seq
    latest.set(change.name, change);
  }
  return [...latest.values()].sort((a, b) => a.seq - b.seq);
}

/** Objects named after `after`, in name order (the order positions are defined on). */
async function unlistedObjects(key: string, after: string, atSeq: number, ctx: DavContext): Promise<ObjectSummary[]> {
  return (await ctx.store.listObjects(key, atSeq))
    .filter((o) => o.name > after)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

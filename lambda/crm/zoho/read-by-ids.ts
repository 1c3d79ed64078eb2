/**
 * Reads records of one module by id, 100 a call (GET /{module}?ids=), for every module the
 * connector syncs: the ones Zoho has, mapped, and the ones it no longer has but we linked, as the
 * module's tombstone (the port's soft deletion). Ids neither Zoho nor we know are left out.
 */
import { records, type ZohoHttp } from './http';
import type { ZohoRecord } from './mapping';
import { refuseOther } from './refusals';
import type { LinkKind, LinkState, ZohoState } from './state';

const IDS_PER_CALL = 100;

export interface ReadByIds<T> {
  http: ZohoHttp;
  state: ZohoState;
  module: 'Events' | 'Tasks';
  fields: readonly string[];
  kind: LinkKind;
  toRecord(r: ZohoRecord, link: LinkState | null): Promise<T | null>;
  tombstone(id: string, link: LinkState | null): Promise<T | null>;
}

export async function readByIds<T>(ids: string[], o: ReadByIds<T>): Promise<T[]> {
  const out: T[] = [];
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += IDS_PER_CALL) {
    const chunk = unique.slice(i, i + IDS_PER_CALL);
    const answer = await o.http.call('GET', `/crm/v8/${o.module}`, { query: { ids: chunk.join(','), fields: o.fields.join(',') }, priority: 'sync' });
    if (answer.status !== 204) refuseOther(answer, `GET ${o.module}?ids`, o.kind);
    const found = answer.status === 204 ? [] : records(answer);
    const links = await o.state.links(chunk, o.kind);
    for (const r of found) {
      const mapped = await o.toRecord(r, links.get(String(r.id)) ?? null);
      if (mapped) out.push(mapped);
    }
    const present = new Set(found.map((r) => String(r.id)));
    for (const id of chunk.filter((x) => !present.has(x))) {
      const gone = await o.tombstone(id, links.get(id) ?? null);
      if (gone) out.push(gone);
    }
  }
  return out;
}

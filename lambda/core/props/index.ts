/**
 * Turns one resource and a PropRequest into a DAV:response with propstats grouped by status.
 * Providers are tried in order; the first that defines a name answers it.
 */
import { CAL, D, type Clark } from '../namespaces';
import { statusLine } from '../responses';
import { el, type XmlElement } from '../xml';
import { collectionProps } from './collections';
import { commonProps } from './common';
import { deadProps } from './dead';
import { objectProps } from './object';
import { principalProps } from './principal';
import type { PropContext, PropProvider, PropRequest, PropValue, Resource } from './types';

// Dead properties last: a stored value never shadows a live property of the same name.
const providers: readonly PropProvider[] = [objectProps, collectionProps, principalProps, commonProps, deadProps];

/** Every property a resource defines, in provider order (later duplicates ignored). */
function definedProps(res: Resource, ctx: PropContext): Map<Clark, () => PropValue> {
  const all = new Map<Clark, () => PropValue>();
  for (const provider of providers) {
    for (const [name, get] of Object.entries(provider(res, ctx))) if (!all.has(name)) all.set(name, get);
  }
  return all;
}

/** Names of every property the resource has (what propname lists). */
export const definedPropNames = (res: Resource, ctx: PropContext): Clark[] => [...definedProps(res, ctx).keys()];

/** Properties returned by allprop: everything except expensive or computed-on-demand ones. */
const NOT_IN_ALLPROP = new Set<Clark>([
  CAL('calendar-data'),
  D('current-user-privilege-set'),
  D('supported-report-set'),
  D('sync-token'),
]);

/**
 * @param overrides values computed by the caller (e.g. calendar-data shaped by a REPORT);
 *   `undefined` entries mean "not available" (404).
 */
export function propResponse(
  href: string,
  res: Resource,
  request: PropRequest,
  ctx: PropContext,
  overrides: Record<Clark, PropValue> = {},
): XmlElement {
  const byStatus = new Map<number, XmlElement[]>();
  const add = (status: number, prop: XmlElement) => {
    const list = byStatus.get(status) ?? [];
    list.push(prop);
    byStatus.set(status, list);
  };
  // Named properties (what clients send) are looked up provider by provider, each provider's
  // record built only when a name gets that far: a listing's getetag and getcontenttype never
  // build the common, collection, principal or dead ones (a multistatus is mostly this).
  const records: Array<ReturnType<PropProvider> | undefined> = [];
  const valueOf = (name: Clark): PropValue => {
    if (name in overrides) return overrides[name];
    for (let i = 0; i < providers.length; i++) {
      const record = (records[i] ??= providers[i]!(res, ctx));
      if (Object.hasOwn(record, name)) return record[name]!();
    }
    return undefined;
  };

  if (request.type === 'propname') {
    for (const name of definedProps(res, ctx).keys()) add(200, el(name));
  } else {
    const names =
      request.type === 'prop'
        ? request.names
        : [...[...definedProps(res, ctx).keys()].filter((n) => !NOT_IN_ALLPROP.has(n)), ...request.include];
    for (const name of new Set(names)) {
      const value = valueOf(name);
      if (value === undefined) add(404, el(name));
      else add(200, typeof value === 'string' ? el(name, value) : el(name, ...value));
    }
  }
  const propstats = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, props]) =>
      el(D('propstat'), el(D('prop'), ...props), el(D('status'), statusLine(status))),
    );
  return el(D('response'), el(D('href'), href), ...propstats);
}

export type { PropContext, PropProvider, PropRequest, PropValue, Resource } from './types';

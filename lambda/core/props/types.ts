import type { Clark } from '../namespaces';
import type { DavConfig, Principal } from '../types';
import type { XmlElement } from '../xml';
import type { CalendarMeta, ObjectSummary, StoredObject } from '../../store/types';
import type { ListKind } from '../paths';

/** A node with whatever was loaded for it: what property providers read from. */
export type Resource =
  | { kind: 'root' }
  | { kind: 'principals' }
  | { kind: 'principal'; email: string }
  | { kind: 'home'; email: string }
  /** The CRM calendar or the tasks list. */
  | { kind: 'calendar'; email: string; list: ListKind; meta: CalendarMeta }
  | { kind: 'object'; email: string; list: ListKind; object: StoredObject | ObjectSummary }
  /** The scheduling inbox (RFC 6638 §2.2): a collection of iTIP messages, stored as a calendar is. */
  | { kind: 'inbox'; email: string; meta: CalendarMeta }
  | { kind: 'inbox-item'; email: string; object: StoredObject | ObjectSummary }
  | { kind: 'outbox'; email: string };

export interface PropContext {
  user: Principal;
  config: DavConfig;
}

/** Property content: text, or child elements. `undefined` means "not defined here" (404). */
export type PropValue = string | XmlElement[] | undefined;

/**
 * Properties one group of resources can answer, keyed by Clark name. Values are computed
 * lazily, only when asked for (sabre's PropFind::handle idea).
 */
export type PropProvider = (res: Resource, ctx: PropContext) => Record<Clark, () => PropValue>;

/** What the client asked for in PROPFIND (or the prop part of a REPORT). */
export type PropRequest =
  | { type: 'prop'; names: Clark[] }
  | { type: 'allprop'; include: Clark[] }
  | { type: 'propname' };

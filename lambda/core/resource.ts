/**
 * Loads what property providers need for a node. Access checks are the caller's job
 * (assertOwnNode): this only answers "does it exist, and what do we know about it".
 */
import { hrefs, listKey, storeKey, INBOX_SLUG, type DavNode } from './paths';
import type { Resource } from './props/types';
import type { DavContext } from './types';

export async function loadResource(node: DavNode, ctx: Pick<DavContext, 'store'>): Promise<Resource | null> {
  switch (node.kind) {
    case 'root':
    case 'principals':
      return { kind: node.kind };
    // Every authenticated user has a principal, a home, the CRM calendar and the tasks list: nothing to look up.
    case 'principal':
    case 'home':
      return { kind: node.kind, email: node.email };
    case 'calendar':
      return { kind: 'calendar', email: node.email, list: node.list, meta: await ctx.store.getCalendar(listKey(node)) };
    case 'object': {
      const object = await ctx.store.getObject(listKey(node), node.name);
      return object ? { kind: 'object', email: node.email, list: node.list, object } : null;
    }
    case 'inbox':
      return { kind: 'inbox', email: node.email, meta: await ctx.store.getCalendar(storeKey(node.email, INBOX_SLUG)) };
    case 'inbox-item': {
      const object = await ctx.store.getObject(storeKey(node.email, INBOX_SLUG), node.name);
      return object ? { kind: 'inbox-item', email: node.email, object } : null;
    }
    case 'outbox':
      return { kind: 'outbox', email: node.email };
    case 'foreign-collection':
    case 'unknown':
      return null;
  }
}

/** The canonical href of a loaded resource (e-mail raw, collections with a trailing slash). */
export function hrefOf(res: Resource): string {
  switch (res.kind) {
    case 'root':
      return hrefs.root();
    case 'principals':
      return hrefs.principals();
    case 'principal':
      return hrefs.principal(res.email);
    case 'home':
      return hrefs.home(res.email);
    case 'calendar':
      return hrefs.calendar(res.email, res.list);
    case 'object':
      return hrefs.object(res.email, res.object.name, res.list);
    case 'inbox':
      return hrefs.inbox(res.email);
    case 'inbox-item':
      return hrefs.inboxItem(res.email, res.object.name);
    case 'outbox':
      return hrefs.outbox(res.email);
  }
}

/**
 * Radicale-style reading of a 207 body: href → property (Clark name) → {status, element}.
 */
import { NS } from '../../lambda/core/namespaces';
import { findChild, findChildren, parseXml, type XmlElement } from '../../lambda/core/xml';

export interface PropEntry {
  status: number;
  element: XmlElement;
}

export interface ParsedMultistatus {
  /** href → Clark property name → entry */
  responses: Map<string, Map<string, PropEntry>>;
  /** href → status for responses carrying a bare DAV:status (e.g. sync-collection removals). */
  statuses: Map<string, number>;
  syncToken?: string;
}

const D = (local: string) => `{${NS.DAV}}${local}`;
const code = (statusText: string) => Number(/HTTP\/1\.1 (\d{3})/.exec(statusText)?.[1] ?? 0);

export function parseMultistatus(body: string): ParsedMultistatus {
  const root = parseXml(body);
  if (root.name !== D('multistatus')) throw new Error(`not a multistatus: ${root.name}`);
  const responses = new Map<string, Map<string, PropEntry>>();
  const statuses = new Map<string, number>();
  for (const response of findChildren(root, D('response'))) {
    const href = findChild(response, D('href'))?.text ?? '';
    const status = findChild(response, D('status'));
    if (status) statuses.set(href, code(status.text));
    const props = responses.get(href) ?? new Map<string, PropEntry>();
    for (const propstat of findChildren(response, D('propstat'))) {
      const s = code(findChild(propstat, D('status'))?.text ?? '');
      for (const p of findChild(propstat, D('prop'))?.children ?? []) props.set(p.name, { status: s, element: p });
    }
    responses.set(href, props);
  }
  return { responses, statuses, syncToken: findChild(root, D('sync-token'))?.text };
}

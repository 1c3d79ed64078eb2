import { CAL, D } from '../namespaces';
import { scheduleTagOfText } from '../scheduling/organizer-part';
import type { PropProvider } from './types';


/** Live properties of a calendar object resource (RFC 4918 §15, RFC 4791 §5.3). */
export const objectProps: PropProvider = (res) => {
  if (res.kind !== 'object' && res.kind !== 'inbox-item') return {};
  const o = res.object;
  const text = 'ics' in o ? o.ics : null;
  return {
    [D('getetag')]: () => o.etag,
    [D('getcontenttype')]: () => `text/calendar; charset=utf-8; component=${res.kind === 'object' && res.list === 'tasks' ? 'vtodo' : 'vevent'}`,
    [D('getcontentlength')]: () => String(o.size),
    [D('getlastmodified')]: () => new Date(o.lastModified).toUTCString(),
    [D('resourcetype')]: () => [],
    // RFC 6638 §3.3, scheduling objects only; listings that carry no text load it when asked (propfind.ts).
    ...(res.kind === 'object' && res.list === 'events' && text !== null && { [CAL('schedule-tag')]: () => scheduleTagOfText(text) ?? undefined }),
  };
};

import { D } from '../namespaces';
import type { PropProvider } from './types';


/** Live properties of a calendar object resource (RFC 4918 §15, RFC 4791 §5.3). */
export const objectProps: PropProvider = (res) => {
  if (res.kind !== 'object') return {};
  const o = res.object;
  return {
    [D('getetag')]: () => o.etag,
    [D('getcontenttype')]: () => 'text/calendar; charset=utf-8; component=vevent',
    [D('getcontentlength')]: () => String(o.size),
    [D('getlastmodified')]: () => new Date(o.lastModified).toUTCString(),
    [D('resourcetype')]: () => [],
  };
};

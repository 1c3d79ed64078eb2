/** Live properties of the collections: root, principal collection, calendar home, calendar. */
import { formatCtag, formatSyncToken } from '../sync-token';
import { el } from '../xml';
import { CALENDAR_SETTINGS } from './calendar-settings';
import { CAL, CS, D } from '../namespaces';
import type { PropProvider } from './types';

const collection = () => [el(D('collection'))];

export const collectionProps: PropProvider = (res, ctx) => {
  switch (res.kind) {
    case 'root':
    case 'principals':
    case 'home':
      return { [D('resourcetype')]: collection };
    case 'calendar': {
      const { meta, email } = res;
      // A setting without a default exists only once set (so propname does not list it).
      const settings = Object.fromEntries(
        Object.entries(CALENDAR_SETTINGS).flatMap(([name, s]) => {
          const value = meta.props[name] ?? s.fallback?.(email);
          return value === undefined ? [] : [[name, () => value]];
        }),
      );
      return {
        [D('resourcetype')]: () => [el(D('collection')), el(CAL('calendar'))],
        ...settings,
        [CS('getctag')]: () => formatCtag(meta.seq),
        [D('sync-token')]: () => formatSyncToken(email, meta.seq),
        [CAL('supported-calendar-component-set')]: () => [el(CAL('comp'), { name: 'VEVENT' })],
        [CAL('supported-calendar-data')]: () => [
          el(CAL('calendar-data'), { 'content-type': 'text/calendar', version: '2.0' }),
        ],
        [CAL('max-resource-size')]: () => String(ctx.config.maxResourceSize),
      };
    }
    default:
      return {};
  }
};

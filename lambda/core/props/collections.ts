/** Live properties of the collections: root, principal collection, calendar home, calendar, tasks list, scheduling inbox and outbox. */
import { formatCtag, formatSyncToken } from '../sync-token';
import { el } from '../xml';
import { CALENDAR_SETTINGS } from './calendar-settings';
import { CAL, CS, D } from '../namespaces';
import { hrefs, listKey, storeKey, INBOX_SLUG } from '../paths';
import { hrefEl } from './names';
import type { PropProvider } from './types';

const collection = () => [el(D('collection'))];

export const collectionProps: PropProvider = (res, ctx) => {
  switch (res.kind) {
    case 'root':
    case 'principals':
      return { [D('resourcetype')]: collection };
    case 'home':
      return { [D('resourcetype')]: collection, ...defaultCalendar(res.email) };
    case 'inbox':
      return {
        [D('resourcetype')]: () => [el(D('collection')), el(CAL('schedule-inbox'))],
        [D('displayname')]: () => 'Inbox',
        [CS('getctag')]: () => formatCtag(res.meta.seq),
        [D('sync-token')]: () => formatSyncToken(storeKey(res.email, INBOX_SLUG), res.meta.seq),
        [CAL('supported-calendar-component-set')]: () => [el(CAL('comp'), { name: 'VEVENT' })],
        ...defaultCalendar(res.email),
      };
    case 'outbox':
      return { [D('resourcetype')]: () => [el(D('collection')), el(CAL('schedule-outbox'))], [D('displayname')]: () => 'Outbox' };
    case 'calendar': {
      const { meta, email, list } = res;
      // A setting without a default exists only once set (so propname does not list it).
      const settings = Object.fromEntries(
        Object.entries(CALENDAR_SETTINGS).flatMap(([name, s]) => {
          const value = meta.props[name] ?? s.fallback?.(email, list);
          return value === undefined ? [] : [[name, () => value]];
        }),
      );
      return {
        [D('resourcetype')]: () => [el(D('collection')), el(CAL('calendar'))],
        ...settings,
        [CS('getctag')]: () => formatCtag(meta.seq),
        [D('sync-token')]: () => formatSyncToken(listKey(res), meta.seq),
        // Exactly one component each: iOS looks for a VTODO collection to show in Reminders.
        [CAL('supported-calendar-component-set')]: () => [el(CAL('comp'), { name: list === 'tasks' ? 'VTODO' : 'VEVENT' })],
        [CAL('supported-calendar-data')]: () => [
          el(CAL('calendar-data'), { 'content-type': 'text/calendar', version: '2.0' }),
        ],
        [CAL('max-resource-size')]: () => String(ctx.config.maxResourceSize),
        // RFC 6638 §9.1: the calendar's events count as busy in free-busy answers; tasks never do.
        [CAL('schedule-calendar-transp')]: () => [el(CAL(list === 'tasks' ? 'transparent' : 'opaque'))],
      };
    }
    default:
      return {};
  }
};

/** RFC 6638 §9.2: where the server puts invitations it delivers (the one calendar). */
const defaultCalendar = (email: string) => ({ [CAL('schedule-default-calendar-URL')]: () => [hrefEl(hrefs.calendar(email))] });

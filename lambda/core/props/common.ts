/**
 * Properties every resource answers: who is asking (RFC 5397), who owns it and what the asker
 * may do (RFC 3744), and which reports it supports (RFC 3253 §3.1.5).
 */
import type { Clark } from '../namespaces';
import { hrefs } from '../paths';
import { el } from '../xml';
import { hrefEl } from './names';
import { CAL, D } from '../namespaces';
import type { PropProvider, Resource } from './types';

const READ_ONLY = [D('read'), D('read-current-user-privilege-set')];

/**
 * iOS shows a calendar read-only unless it sees write privileges on it. Nothing but the CRM
 * calendar and its events can be changed: no MKCALENDAR, no PROPPATCH elsewhere.
 */
const PRIVILEGES: Record<Resource['kind'], Clark[]> = {
  root: READ_ONLY,
  principals: READ_ONLY,
  principal: READ_ONLY,
  home: READ_ONLY,
  calendar: [
    ...READ_ONLY,
    CAL('read-free-busy'),
    D('write'),
    D('write-properties'),
    D('write-content'),
    D('bind'),
    D('unbind'),
  ],
  object: [...READ_ONLY, D('write'), D('write-content')],
  // RFC 6638 §2.2, §2.1: the inbox lets its owner read and remove messages, the outbox send.
  inbox: [...READ_ONLY, D('unbind'), CAL('schedule-deliver')],
  'inbox-item': [...READ_ONLY, D('unbind')],
  outbox: [...READ_ONLY, CAL('schedule-send')],
};

const CALENDAR_REPORTS = [CAL('calendar-multiget'), CAL('calendar-query'), D('sync-collection')];

export const commonProps: PropProvider = (res, ctx) => ({
  [D('current-user-principal')]: () => [hrefEl(hrefs.principal(ctx.user.email))],
  [D('principal-collection-set')]: () => [hrefEl(hrefs.principals())],
  ...('email' in res && { [D('owner')]: () => [hrefEl(hrefs.principal(res.email))] }),
  [D('current-user-privilege-set')]: () => PRIVILEGES[res.kind].map((p) => el(D('privilege'), el(p))),
  [D('supported-report-set')]: () =>
    (res.kind === 'calendar' ? CALENDAR_REPORTS : []).map((r) =>
      el(D('supported-report'), el(D('report'), el(r))),
    ),
});

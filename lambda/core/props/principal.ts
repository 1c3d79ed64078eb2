/** A user's principal (RFC 3744 §4, RFC 4791 §6.2): where clients find the calendar home. */
import { hrefs } from '../paths';
import { el } from '../xml';
import { hrefEl } from './names';
import { CAL, D } from '../namespaces';
import type { PropProvider } from './types';

export const principalProps: PropProvider = (res) => {
  if (res.kind !== 'principal') return {};
  const { email } = res;
  return {
    [D('resourcetype')]: () => [el(D('collection')), el(D('principal'))],
    [D('displayname')]: () => email,
    [D('principal-URL')]: () => [hrefEl(hrefs.principal(email))],
    [CAL('calendar-home-set')]: () => [hrefEl(hrefs.home(email))],
    [CAL('calendar-user-address-set')]: () => [hrefEl(`mailto:${email}`), hrefEl(hrefs.principal(email))],
    // RFC 6638 §2.1-2.4.2: what makes iOS offer Invitees on the account.
    [CAL('schedule-inbox-URL')]: () => [hrefEl(hrefs.inbox(email))],
    [CAL('schedule-outbox-URL')]: () => [hrefEl(hrefs.outbox(email))],
    [CAL('calendar-user-type')]: () => 'INDIVIDUAL',
  };
};

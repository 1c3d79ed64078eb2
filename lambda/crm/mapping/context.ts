import type { CrmUser } from '../types';
import type { Zones } from './timezones';

/** What every CRM -> iCalendar edit step needs. */
export interface EditCtx {
  zones: Zones;
  /** Line terminator of the file being edited. */
  eol: string;
  owner: CrmUser;
}

/**
 * What an edit did to one component: any change bumps DTSTAMP/LAST-MODIFIED; a significant one
 * (RFC 5546 §2.1.4: start, end, recurrence) also bumps SEQUENCE.
 */
export interface Edit {
  changed: boolean;
  significant: boolean;
}

export const noEdit = (): Edit => ({ changed: false, significant: false });

/**
 * CRM users are the records of the users table (lambda/store UserRecord): the CRM view of one is
 * derived here, so the CalDAV login and the CRM profile can never disagree. A user's CRM id is
 * the lower-cased e-mail, the table's key, stable for the record's lifetime.
 */
import { DEFAULT_TIME_ZONE, type UserRecord } from '../../store/types';
import type { CrmUser, CrmUserRef } from '../types';

export function crmUserOf(record: UserRecord): CrmUser {
  const email = record.email.toLowerCase();
  return {
    id: email,
    email,
    name: record.name || email,
    timeZone: record.timeZone || DEFAULT_TIME_ZONE,
  };
}

export const userRefOf = (user: CrmUser): CrmUserRef => ({ id: user.id, email: user.email, name: user.name });

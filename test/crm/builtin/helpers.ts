/** A built-in CRM on fresh DynamoDB Local tables, with two users and a draft-event builder. */
import { BuiltinCrm } from '../../../lambda/crm/builtin';
import { eventFieldDefaults, type CrmEventDraft } from '../../../lambda/crm/types';
import { DynamoUserStore } from '../../../lambda/store/dynamodb/user-store';
import type { UserRecord } from '../../../lambda/store/types';
import type { TestTables } from '../../helpers/dynamo';

export const OLIVIA = 'olivia@crm.example';
export const UMA = 'uma@crm.example';

export const userRecord = (email: string, extra: Partial<UserRecord> = {}): UserRecord => ({
  email,
  passwordHash: '',
  enabled: true,
  createdAt: '2024-01-01T00:00:00.000Z',
  enabledAt: '2024-01-01T00:00:00.000Z',
  name: email.split('@')[0],
  timeZone: 'Europe/Berlin',
  ...extra,
});

export async function builtinOn(t: TestTables, now?: () => Date) {
  const users = new DynamoUserStore(t.doc, t.tables.users);
  await users.putUser(userRecord(OLIVIA, { name: 'Olivia Owner' }));
  await users.putUser(userRecord(UMA, { name: 'Uma User', timeZone: 'America/New_York' }));
  return { crm: new BuiltinCrm(t.doc, { table: t.tables.crm, users, now }), users };
}

export function draft(extra: Partial<CrmEventDraft> = {}): CrmEventDraft {
  return {
    Event_Title: 'Pipeline review',
    Start_DateTime: '2024-05-06T10:00:00+02:00',
    End_DateTime: '2024-05-06T11:00:00+02:00',
    ...eventFieldDefaults(),
    Owner: { id: OLIVIA, email: OLIVIA, name: 'Olivia Owner' },
    caldav: null,
    ...extra,
  };
}

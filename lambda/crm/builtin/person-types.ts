/** Lead/contact shapes shared by the API and the built-in CRM. */
import type { CrmPerson } from '../types';

/** A lead or contact as stored: the port's shape plus its timestamps. */
export type StoredPerson = CrmPerson & { Full_Name: string; Created_Time: string; Modified_Time: string };

/** What a caller writes; `id` absent creates. Full_Name and timestamps are derived. */
export type PersonDraft = Omit<CrmPerson, 'Full_Name' | 'id'> & { id?: string };

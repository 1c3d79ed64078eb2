import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CrmUser, PersonMatch } from '../../../lambda/crm/types';

export const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/crm/${name}`, import.meta.url)), 'utf8');

export const owner: CrmUser = {
  id: 'u1',
  email: 'olivia@crm.example',
  name: 'Olivia Owner',
  timeZone: 'America/Los_Angeles',
};

const people: Record<string, PersonMatch> = {
  'larry@acme.example': { type: 'lead', id: 'L1', email: 'larry@acme.example', name: 'Larry Lead' },
  'carla@acme.example': { type: 'contact', id: 'C1', email: 'carla@acme.example', name: 'Carla Contact' },
  'uma@crm.example': { type: 'user', id: 'u2', email: 'uma@crm.example', name: 'Uma User' },
};

/** Case-insensitive like the connector's findPersonByEmail. */
export const lookup = (email: string): PersonMatch | null => people[email.toLowerCase()] ?? null;

export const NOW = new Date('2024-04-05T12:00:00Z');

/** Logical (unfolded) lines of an iCalendar text. */
export const lines = (ics: string): string[] => ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/).filter(Boolean);

/** Lines of `b` not in `a` and of `a` not in `b`. */
export function lineDiff(a: string, b: string) {
  const la = lines(a);
  const lb = lines(b);
  return { removed: la.filter((l) => !lb.includes(l)), added: lb.filter((l) => !la.includes(l)) };
}

/**
 * The demo org `npm run zoho:sim` starts with: a few users (the admin patriciab@zillum.com among
 * them, one deactivated), leads and contacts to invite, and some meetings this month so an
 * initial export has something to bring to the phone.
 */
import type { SimState } from './state';

const DAY_MS = 24 * 3600_000;

/** `2026-03-04T09:00:00Z`-style date-times `days` from now at `hour` UTC, to the second. */
function at(now: number, days: number, hour: number): string {
  const d = new Date(now + days * DAY_MS);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString().replace('.000Z', 'Z');
}

export function seedDemoOrg(state: SimState, now: number): void {
  const other = state.addUser({ email: 'other@zillum.com', firstName: 'Oscar', lastName: 'Olsen' });
  state.addUser({ email: 'ted@zillum.com', firstName: 'Ted', lastName: 'Watson' });
  state.addUser({ email: 'former@zillum.com', firstName: 'Fiona', lastName: 'Former', status: 'disabled' });
  const lead = state.addLead({ First_Name: 'Alice', Last_Name: 'Brown', Email: 'alice.brown@zylker.com', Company: 'Zylker' });
  state.addLead({ First_Name: 'Carlos', Last_Name: 'Diaz', Email: 'carlos@bentley.example', Company: 'Bentley Systems' });
  const anna = state.addContact({ First_Name: 'Anna', Last_Name: 'Kingsley', Email: 'anna.kingsley@zylker.com' });
  state.addContact({ First_Name: 'Bob', Last_Name: 'Burns', Email: 'bob.burns@example.com' });
  state.addEvent({
    Event_Title: 'Renewal Contract Review',
    Venue: 'Client location',
    Start_DateTime: at(now, 1, 16),
    End_DateTime: at(now, 1, 17),
    Who_Id: { id: anna.id },
    Participants: [
      { type: 'contact', participant: anna.id },
      { type: 'lead', participant: lead.id },
    ],
    Remind_At: [{ unit: 15, period: 'minutes' }],
  });
  state.addEvent({
    Event_Title: 'Weekly pipeline call',
    Start_DateTime: at(now, -2, 15),
    End_DateTime: at(now, -2, 16),
    Recurring_Activity: { RRULE: 'FREQ=WEEKLY;INTERVAL=1;BYDAY=' + ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][new Date(now - 2 * DAY_MS).getUTCDay()] },
  });
  state.addEvent({ Event_Title: 'Team offsite', Start_DateTime: at(now, 3, 16), End_DateTime: at(now, 3, 23), Owner: { id: other.id } }, { by: other.id });
}

/**
 * A CRM calendar for the export benchmark: events a sales user plausibly has (meetings in
 * Europe/Berlin office hours, some weekly series, some all-day, participants and reminders),
 * written straight into the built-in CRM's table as a bulk import would: the event records and
 * the owner index with their spans, no change feed. One transaction per event through the
 * CRM's API would take minutes and measure the seed, not the export.
 *
 * Seeded: every run stores the same events.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventKey, ownerEventKey } from '../lambda/crm/builtin/keys';
import { spanOfEvent } from '../lambda/crm/builtin/span';
import { intlOffset } from '../lambda/core/ics/vtimezone';
import type { CrmEvent, CrmEventDraft, CrmParticipant, CrmUser } from '../lambda/crm/types';
import { rng } from './ics';

export interface CrmMix {
  events: number;
  recurring: number;
  allDay: number;
  withParticipants: number;
  withReminder: number;
}

/** `2026-10-05T09:30:00+02:00`: local wall time with the zone's offset at that instant, as the CRM stores it. */
export function zonedIso(ms: number, timeZone: string): string {
  const offset = intlOffset(timeZone, ms) ?? 0;
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const PEOPLE = ['Ada Brandt', 'Jonas Weber', 'Mira Koch', 'Luis Ortega', 'Hana Sato', 'Tom Berger', 'Eva Lind', 'Noah Kern'];
const TOPICS = ['Discovery call', 'Demo', 'Contract review', 'Quarterly business review', 'Onboarding', 'Pricing follow-up', 'Site visit', 'Renewal'];

function participants(rand: () => number, n: number): CrmParticipant[] {
  return Array.from({ length: n }, (_, k) => {
    const name = PEOPLE[Math.floor(rand() * PEOPLE.length)]!;
    const Email = `${name.toLowerCase().replace(' ', '.')}.${k}@customer.example`;
    const type = (['contact', 'lead', 'email'] as const)[k % 3]!;
    return { type, participant: type === 'email' ? Email : `${type}-${name.length}${k}`, Email, name, status: 'NEEDS-ACTION' };
  });
}

/**
 * `count` events of `owner` whose first instance starts in [from, to), spread evenly: every 10th
 * a weekly series (half of them open-ended), every 11th all-day, ~30% with 1-3 participants,
 * ~60% with a reminder, most with a venue and a few lines of description.
 */
export function generateCrmEvents(owner: CrmUser, count: number, from: number, to: number, seed = 4): { drafts: CrmEventDraft[]; mix: CrmMix } {
  const rand = rng(seed);
  const mix: CrmMix = { events: count, recurring: 0, allDay: 0, withParticipants: 0, withReminder: 0 };
  const days = Math.max(1, Math.floor((to - from) / 86_400_000));
  const drafts = Array.from({ length: count }, (_, i): CrmEventDraft => {
    const dayStart = from + (i % days) * 86_400_000;
    const allDay = i % 11 === 1;
    const recurring = i % 10 === 0;
    const topic = TOPICS[i % TOPICS.length]!;
    const people = rand() < 0.3 ? participants(rand, 1 + Math.floor(rand() * 3)) : [];
    const reminder = rand() < 0.6 ? [0, 10, 15, 30, 60][Math.floor(rand() * 5)]! : null;
    let start: string;
    let end: string;
    if (allDay) {
      start = end = zonedIso(dayStart + 12 * 3_600_000, owner.timeZone).slice(0, 10);
    } else {
      // Office hours on the half hour (from local midnight; an hour earlier after a DST change).
      const at = dayStart + (8 * 60 + 30 * Math.floor(rand() * 20)) * 60_000;
      start = zonedIso(at, owner.timeZone);
      end = zonedIso(at + [30, 45, 60, 90][Math.floor(rand() * 4)]! * 60_000, owner.timeZone);
    }
    mix.recurring += recurring ? 1 : 0;
    mix.allDay += allDay ? 1 : 0;
    mix.withParticipants += people.length ? 1 : 0;
    mix.withReminder += reminder !== null ? 1 : 0;
    return {
      Event_Title: `${topic} ${people[0]?.name ?? `#${i}`}`,
      Start_DateTime: start,
      End_DateTime: end,
      All_day: allDay,
      Venue: rand() < 0.7 ? `Meeting room ${1 + (i % 6)}, Hauptstraße ${10 + (i % 90)}, Berlin` : null,
      Description: rand() < 0.5 ? `Agenda:\n- status of the ${topic.toLowerCase()}\n- open questions from the last call\n- next steps and owners\nNotes from #${i}.` : null,
      Participants: people,
      Remind_At: reminder,
      Recurring_Activity: recurring ? { RRULE: i % 20 === 0 ? 'FREQ=WEEKLY' : 'FREQ=WEEKLY;COUNT=12' } : null,
      Recurrence_Exceptions: [],
      Owner: { id: owner.id, email: owner.email, name: owner.name },
      caldav: null,
    };
  });
  return { drafts, mix };
}

/**
 * Writes events into the built-in CRM's table with BatchWriteItem (8 batches of 25 in flight),
 * retrying UnprocessedItems: the record and the owner index entry, each carrying the span the
 * CRM's range listing reads, laid out as lambda/crm/builtin/event-writes.ts writes them.
 */
export async function bulkLoadCrm(doc: DynamoDBDocumentClient, table: string, owner: CrmUser, drafts: CrmEventDraft[], at: Date): Promise<CrmEvent[]> {
  const stamp = at.toISOString();
  const events: CrmEvent[] = drafts.map((d) => ({ ...d, id: randomUUID(), Created_Time: stamp, Modified_Time: stamp, Deleted: false, caldav: null }));
  const items = events.flatMap((e) => {
    const span = spanOfEvent(e, owner);
    return [
      { ...eventKey(e.id), ...e, rangeStart: span.rangeStart, rangeEnd: span.rangeEnd },
      { ...ownerEventKey(e.Owner.email, e.id), id: e.id, Modified_Time: stamp, Deleted: false, ...span },
    ];
  });
  const batches: Array<typeof items> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length; attempt++) {
          if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
          const res = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (res.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }),
    );
  }
  return events;
}

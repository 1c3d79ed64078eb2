/**
 * Property-based round trips through the real bridge on DynamoDB Local (seeded, bounded):
 * generated iOS-shaped events (alarms, attendees, weekly recurrence with an EXDATE and an
 * overridden instance, all-day, zoned and UTC times, X-APPLE-* lines) go phone → CRM → phone,
 * and CRM-made events go CRM → phone → CRM, with scheduled passes in between.
 *
 * Properties: what the phone sent comes back byte for byte (the CRM has no field for most of
 * it); the CRM reads the first alarm as Remind_At; clearing it in the CRM removes that alarm
 * only, and no later phone edit turns another alarm into the reminder; a re-applied pass writes
 * nothing; a phone re-save of a CRM event leaves every CRM field as it was. With scheduling
 * (RFC 6638): invitations to colleagues and outsiders answered in any order end with every
 * colleague's answer in the organizer's copy, the colleagues' copies and the one CRM event, and a
 * re-applied pass or an organizer re-save changes none of it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vtimezoneFromIntl } from '../../lambda/core/ics/vtimezone';
import { put } from '../../lambda/core/methods/put';
import { DEFAULT_CONFIG, type DavContext } from '../../lambda/core/types';
import { uidForCrmId } from '../../lambda/crm/mapping';
import type { CrmEvent } from '../../lambda/crm/types';
import { runReconciliation } from '../../lambda/jobs/reconcile';
import { PAT, SAM, event, jobWorld, user, type JobWorld } from '../jobs/world';
import { get } from '../../lambda/core/methods/get';

const SEED = 4_791;
const RUNS = 12;

interface PhoneEvent {
  uid: string;
  summary: string;
  zone: 'Europe/Berlin' | 'America/New_York' | 'UTC' | 'all-day';
  day: number;
  hour: number;
  minutes: number;
  alarms: number[];
  attendees: string[];
  recurring: boolean;
}

const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ]{0,14}$/);
const phoneEvent: fc.Arbitrary<PhoneEvent> = fc.record({
  uid: fc.uuid().map((u) => u.toUpperCase()),
  summary: word,
  zone: fc.constantFrom('Europe/Berlin', 'America/New_York', 'UTC', 'all-day'),
  day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 22 }),
  minutes: fc.constantFrom(15, 30, 60, 90),
  alarms: fc.array(fc.constantFrom(0, 5, 10, 15, 30, 60, 1440), { maxLength: 3 }),
  attendees: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/).map((n) => `${n}@guests.example`), { maxLength: 3 }),
  recurring: fc.boolean(),
});

const pad = (n: number) => String(n).padStart(2, '0');

/** iCalendar text as iOS writes it: CRLF, VTIMEZONE, X-APPLE-* and X-WR-ALARMUID lines. */
function icsOf(e: PhoneEvent): string {
  const date = (day: number) => `202612${pad(day)}`;
  const at = (day: number, hour: number, minute = 0) => `${date(day)}T${pad(hour)}${pad(minute)}00`;
  const endHour = e.hour + Math.floor(e.minutes / 60);
  const endMinute = e.minutes % 60;
  const when = (name: string, day: number) =>
    e.zone === 'all-day' ? `${name};VALUE=DATE:${date(day)}` : e.zone === 'UTC' ? `${name}:${at(day, e.hour)}Z` : `${name};TZID=${e.zone}:${at(day, e.hour)}`;
  const start = when('DTSTART', e.day);
  const end =
    e.zone === 'all-day' ? `DTEND;VALUE=DATE:${date(e.day + 1)}` : e.zone === 'UTC' ? `DTEND:${at(e.day, endHour, endMinute)}Z` : `DTEND;TZID=${e.zone}:${at(e.day, endHour, endMinute)}`;
  const alarms = e.alarms.flatMap((m, i) => [
    'BEGIN:VALARM',
    `X-WR-ALARMUID:${e.uid.slice(0, 30)}A${i}`,
    `UID:${e.uid.slice(0, 30)}A${i}`,
    `TRIGGER:${m === 0 ? 'PT0S' : `-PT${m}M`}`,
    'ACTION:DISPLAY',
    'DESCRIPTION:Reminder',
    'END:VALARM',
  ]);
  const attendees = e.attendees.map((a) => `ATTENDEE;CN=${a.split('@')[0]};CUTYPE=INDIVIDUAL;EMAIL=${a};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT:mailto:${a}`);
  const organizer = e.attendees.length ? [`ORGANIZER;CN=Patricia;EMAIL=${PAT}:mailto:${PAT}`] : [];
  const recurrence = e.recurring ? ['RRULE:FREQ=WEEKLY;COUNT=6', when('EXDATE', e.day + 7)] : [];
  const master = ['BEGIN:VEVENT', 'CREATED:20261120T100000Z', 'DTSTAMP:20261120T100000Z', 'LAST-MODIFIED:20261120T100000Z', `UID:${e.uid}`, start, end, ...recurrence, `SUMMARY:${e.summary}`, 'SEQUENCE:0', 'TRANSP:OPAQUE', 'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC', ...organizer, ...attendees, ...alarms, 'END:VEVENT'];
  const override = e.recurring
    ? ['BEGIN:VEVENT', 'DTSTAMP:20261120T100000Z', `UID:${e.uid}`, when('RECURRENCE-ID', e.day + 14), when('DTSTART', e.day + 14), e.zone === 'all-day' ? `DTEND;VALUE=DATE:${date(e.day + 15)}` : end.replace(date(e.day), date(e.day + 14)), `SUMMARY:${e.summary} (moved)`, 'END:VEVENT']
    : [];
  const zones = e.zone === 'Europe/Berlin' || e.zone === 'America/New_York' ? vtimezoneFromIntl(e.zone, 2026)!.toString().split(/\r?\n/) : [];
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iPhone OS 18.1//EN', 'CALSCALE:GREGORIAN', ...zones, ...master, ...override, 'END:VCALENDAR', ''].join('\r\n');
}

const alarmCount = (ics: string) => ics.split('\r\n').filter((l) => l === 'BEGIN:VALARM').length;

describe('round trips through the bridge (property-based)', () => {
  let runs = 0;
  let w: JobWorld;
  let ctx: DavContext;
  beforeAll(async () => {
    w = await jobWorld();
    ctx = { user: { email: PAT }, store: w.store, config: DEFAULT_CONFIG, now: () => w.clock.now, onObjectChange: w.app.onObjectChange };
    await runReconciliation(w.deps);
  });
  afterAll(() => w.t.drop());

  const phonePut = (name: string, ics: string, headers: Record<string, string> = {}) =>
    put({ method: 'PUT', path: `/calendars/${PAT}/crm/${name}`, headers: { 'content-type': 'text/calendar', ...headers }, body: ics }, ctx);

  it('invitations with replies: every answer reaches the organizer, the other copies and the CRM, and stays', async () => {
    const KIM = 'kim@zillum.com';
    await w.users.putUser(user(SAM));
    await w.users.putUser(user(KIM));
    const as = (email: string): DavContext => ({ ...ctx, user: { email }, scheduling: w.app.scheduling });
    const organizer = as(PAT);
    const partstatOf = (ics: string, email: string) =>
      /PARTSTAT=([A-Z-]+)/.exec(ics.replace(/\r\n[ \t]/g, '').split('\r\n').find((l) => l.startsWith('ATTENDEE') && l.endsWith(`mailto:${email}`)) ?? '')?.[1];
    const answer = fc.constantFrom('ACCEPTED', 'DECLINED', 'TENTATIVE', 'NEEDS-ACTION');
    await fc.assert(
      fc.asyncProperty(phoneEvent.filter((e) => !e.recurring || e.day <= 14), fc.subarray([SAM, KIM], { minLength: 1 }), fc.array(fc.tuple(fc.constantFrom(SAM, KIM), answer), { maxLength: 4 }), async (generated, colleagues, replies) => {
        const e = { ...generated, uid: `${generated.uid.slice(0, 24)}${String(++runs).padStart(12, '0')}`, attendees: [...generated.attendees, ...colleagues] };
        const name = `${e.uid}.ics`;
        const sent = await put({ method: 'PUT', path: `/calendars/${PAT}/crm/${name}`, headers: { 'content-type': 'text/calendar', 'if-none-match': '*' }, body: icsOf(e) }, organizer);
        expect(sent.status).toBe(201);
        const expected = new Map(colleagues.map((c) => [c, 'NEEDS-ACTION']));
        for (const [who, partstat] of replies) {
          if (!expected.has(who)) continue;
          const mine = await get({ method: 'GET', path: `/calendars/${who}/crm/${name}`, headers: {}, body: '' }, as(who));
          const answered = mine.body!.replace(/\r\n[ \t]/g, '').replace(new RegExp(`^(ATTENDEE[^\\r\\n]*?)PARTSTAT=[A-Z-]+([^\\r\\n]*mailto:${who.replace('.', '\\.')})$`, 'm'), `$1PARTSTAT=${partstat}$2`);
          const res = await put({ method: 'PUT', path: `/calendars/${who}/crm/${name}`, headers: { 'content-type': 'text/calendar', 'if-schedule-tag-match': mine.headers['schedule-tag']! }, body: answered }, as(who));
          expect(res.status).toBe(204);
          expected.set(who, partstat);
        }
        const check = async () => {
          const copy = (await w.store.getObject(PAT, name))!.ics;
          const crmEvent = (await w.crm.findEventByUid(PAT, e.uid))!;
          for (const [who, partstat] of expected) {
            expect(partstatOf(copy, who)).toBe(partstat);
            for (const other of expected.keys()) expect(partstatOf((await w.store.getObject(other, name))!.ics, who)).toBe(partstat);
            expect(crmEvent.Participants.find((p) => p.Email === who)?.status ?? 'NEEDS-ACTION').toBe(partstat);
            expect(await w.crm.findEventByUid(who, e.uid)).toBeNull();
          }
        };
        await check();
        const seq = (await w.store.getCalendar(PAT)).seq;
        await runReconciliation(w.deps);
        expect((await w.store.getCalendar(PAT)).seq).toBe(seq);
        // The organizer's phone saves what it has (not having seen the replies): the answers stay.
        const stale = await put({ method: 'PUT', path: `/calendars/${PAT}/crm/${name}`, headers: { 'content-type': 'text/calendar' }, body: icsOf(e) }, organizer);
        expect(stale.status).toBe(204);
        await check();
      }),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });

  it('phone → CRM → phone: the bytes sent come back, the first alarm is Remind_At, passes write nothing', async () => {
    await fc.assert(
      fc.asyncProperty(phoneEvent.filter((e) => !e.recurring || e.day <= 14), async (generated) => {
        // A fresh UID per run, shrinking included: the calendar keeps what earlier runs stored.
        const e = { ...generated, uid: `${generated.uid.slice(0, 24)}${String(++runs).padStart(12, '0')}` };
        const ics = icsOf(e);
        const name = `${e.uid}.ics`;
        const res = await phonePut(name, ics, { 'if-none-match': '*' });
        expect(res.status).toBe(201);
        const crmEvent = (await w.crm.findEventByUid(PAT, e.uid))!;
        expect(crmEvent).not.toBeNull();
        expect(crmEvent.Remind_At).toBe(e.alarms.length ? e.alarms[0] : null);
        const seq = (await w.store.getCalendar(PAT)).seq;
        await runReconciliation(w.deps);
        await runReconciliation(w.deps);
        expect((await w.store.getCalendar(PAT)).seq).toBe(seq);
        const stored = (await w.store.getObject(PAT, name))!;
        expect(stored.ics).toBe(ics);
        expect(alarmCount(stored.ics)).toBe(e.alarms.length);

        // The CRM clears the reminder: the phone loses that alarm (the first) and keeps the others.
        const cleared = await w.crm.upsertEvent({ ...(await w.crm.getEvent(crmEvent.id))!, Remind_At: null });
        await w.deps.listener.eventSaved(cleared, crmEvent);
        await runReconciliation(w.deps);
        const settled = (await w.store.getCalendar(PAT)).seq;
        await runReconciliation(w.deps);
        expect((await w.store.getCalendar(PAT)).seq).toBe(settled);
        const after = (await w.store.getObject(PAT, name))!;
        expect(alarmCount(after.ics)).toBe(Math.max(0, e.alarms.length - 1));

        // An unrelated phone edit (a new title) brings no reminder back and drops no other alarm.
        const edited = after.ics.replace(`SUMMARY:${e.summary}\r\n`, `SUMMARY:${e.summary} edited\r\n`);
        expect((await phonePut(name, edited, { 'if-match': after.etag })).status).toBe(204);
        expect((await w.crm.getEvent(crmEvent.id))!.Remind_At).toBeNull();
        await runReconciliation(w.deps);
        expect((await w.store.getObject(PAT, name))!.ics).toBe(edited);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('CRM → phone → CRM: a phone re-save leaves every CRM field as it was, and no alarm disappears', async () => {
    const fields = (ev: CrmEvent) => ({ title: ev.Event_Title, start: ev.Start_DateTime, end: ev.End_DateTime, allDay: ev.All_day, remind: ev.Remind_At, venue: ev.Venue ?? null, who: ev.Participants.map((p) => p.Email).sort() });
    await fc.assert(
      fc.asyncProperty(word, fc.integer({ min: 1, max: 27 }), fc.option(fc.constantFrom(5, 15, 60, 1440), { nil: null }), fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 3 }), async (title, day, remind, guests) => {
        const saved = await w.save(
          event(PAT, `2026-12-${pad(day)}T09:00:00+01:00`, `2026-12-${pad(day)}T10:00:00+01:00`, {
            Event_Title: title,
            Remind_At: remind,
            Participants: guests.map((g) => ({ type: 'email' as const, participant: `${g}@guests.example`, Email: `${g}@guests.example` })),
          }),
        );
        await w.deps.listener.eventSaved(saved, null);
        const name = (await w.store.findNameByUid(PAT, uidForCrmId(saved.id)))!;
        const first = (await w.store.getObject(PAT, name))!;
        expect(alarmCount(first.ics)).toBe(remind === null ? 0 : 1);
        const before = fields((await w.crm.getEvent(saved.id))!);
        // The phone saves the event again without changes (iOS does, e.g. after a view).
        expect((await phonePut(name, first.ics, { 'if-match': first.etag })).status).toBe(204);
        expect(fields((await w.crm.getEvent(saved.id))!)).toEqual(before);
        const seq = (await w.store.getCalendar(PAT)).seq;
        await runReconciliation(w.deps);
        expect((await w.store.getCalendar(PAT)).seq).toBe(seq);
        expect(alarmCount((await w.store.getObject(PAT, name))!.ics)).toBe(remind === null ? 0 : 1);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });
});

/**
 * Which CRM events the initial export copies: the user's own, live events with a start
 * inside the window; when more than the limit qualify, the ones starting nearest the moment
 * CalDAV was enabled. A recurring series qualifies through any occurrence starting in the window
 * (the phone should see this week's standing meeting even when the series began years ago), and
 * its distance is that of its occurrence nearest the enable moment.
 */
import ICAL from 'ical.js';
import { instancesOf } from '../core/filter/instances';
import { crmEventToIcs } from '../crm/mapping';
import { vtimezoneFromIntl } from '../core/ics/vtimezone';
import type { CrmEvent, CrmUser } from '../crm/types';
import { startOfDay, type ExportWindow } from './window';

/** The product's bound on the initial export: the 2,000 events nearest the enable date. */
export const EXPORT_LIMIT = 2000;

export interface ExportPlan {
  /** CRM event ids to export, nearest the enable moment first. */
  ids: string[];
  /** Events that qualified but were beyond the limit. */
  leftOut: number;
}

const ALL_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Start of a one-off event: an instant with offset, or an all-day date read in the user's zone. */
function singleStart(event: CrmEvent, timeZone: string): number {
  const day = ALL_DAY.exec(event.Start_DateTime);
  if (day) return startOfDay({ year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) }, timeZone);
  return Date.parse(event.Start_DateTime);
}

/** Occurrence starts of a series inside the window, through the same expansion CalDAV queries use. */
function* seriesStarts(event: CrmEvent, user: CrmUser, window: ExportWindow): Generator<number> {
  const ics = crmEventToIcs(event, { owner: user, now: new Date(0) });
  const vcalendar = new ICAL.Component(ICAL.parse(ics));
  const vtimezone = vtimezoneFromIntl(user.timeZone, new Date(window.start).getUTCFullYear() - 1);
  const zones = { floating: vtimezone ? new ICAL.Timezone(vtimezone) : null };
  for (const inst of instancesOf(vcalendar, 'VEVENT', zones, window.end, window.start)) {
    if (inst.startMs !== null) yield inst.startMs;
  }
}

/** Distance from `enabled` of the event's start nearest to it inside the window; null = outside. */
export function distanceInWindow(event: CrmEvent, user: CrmUser, window: ExportWindow, enabled: number): number | null {
  const starts = event.Recurring_Activity ? seriesStarts(event, user, window) : [singleStart(event, user.timeZone)];
  let best: number | null = null;
  for (const start of starts) {
    if (!Number.isFinite(start) || start < window.start || start >= window.end) continue;
    const d = Math.abs(start - enabled);
    if (best === null || d < best) best = d;
  }
  return best;
}

/** `enabledAt`: when CalDAV was enabled (ISO): the events nearest it are exported first. */
export function planExport(events: CrmEvent[], user: CrmUser, window: ExportWindow, enabledAt: string, limit = EXPORT_LIMIT): ExportPlan {
  const enabled = Date.parse(enabledAt);
  const owner = user.email.toLowerCase();
  const qualifying: Array<{ id: string; distance: number }> = [];
  for (const event of events) {
    if (event.Deleted || event.Owner.email.toLowerCase() !== owner) continue;
    const distance = distanceInWindow(event, user, window, enabled);
    if (distance !== null) qualifying.push({ id: event.id, distance });
  }
  // Ties by id, so a re-plan of the same data picks the same events.
  qualifying.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ids: qualifying.slice(0, limit).map((q) => q.id), leftOut: Math.max(0, qualifying.length - limit) };
}

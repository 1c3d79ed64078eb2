/**
 * Parsed objects for filter matching, kept by their text: a calendar-query of an unchanged month
 * parses each candidate once per container instead of once per request (parsing dominates a
 * query's time). Matching only reads components, so sharing one is safe; whatever reshapes a
 * component (calendar-data's expand, limit-recurrence-set) parses its own.
 */
import type ICAL from 'ical.js';
import { parseForQuery } from './zones';

/**
 * A parsed iOS event of ~1.8 KB weighs ~18 KB on the heap (measured): 2,000 of them, a few
 * users' months, are ~36 MB of a 512 MB function.
 */
const MAX_PARSED = 2000;
const parsed = new Map<string, ICAL.Component>();

/** Throws as parseForQuery does; a failure is not remembered. */
export function parsedForMatching(ics: string): ICAL.Component {
  let component = parsed.get(ics);
  if (component) {
    parsed.delete(ics); // re-inserted below: Map order is recency
  } else {
    component = parseForQuery(ics);
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
  }
  parsed.set(ics, component);
  return component;
}

import ICAL from 'ical.js';
import { matchesFilter } from '../../../lambda/core/filter/match';
import { parseFilter } from '../../../lambda/core/filter/parse';
import { UTC_CONTEXT, type ZoneContext } from '../../../lambda/core/filter/zones';
import { parseXml } from '../../../lambda/core/xml';

export const parseFilterXml = (inner: string) =>
  parseFilter(parseXml(`<c:filter xmlns:c="urn:ietf:params:xml:ns:caldav">${inner}</c:filter>`));

export const vcal = (ics: string) => new ICAL.Component(ICAL.parse(ics));

export const matches = (ics: string, filterInner: string, zones: ZoneContext = UTC_CONTEXT) =>
  matchesFilter(vcal(ics), parseFilterXml(filterInner), zones);

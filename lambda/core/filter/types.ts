/** A parsed CALDAV:filter (RFC 4791 §9.7). Names are upper-cased iCalendar names. */

/** Epoch milliseconds; null = unbounded on that side. */
export interface TimeRange {
  start: number | null;
  end: number | null;
}

export type Collation = 'i;ascii-casemap' | 'i;unicode-casemap' | 'i;octet';

export type MatchType = 'equals' | 'contains' | 'starts-with' | 'ends-with';

export interface TextMatch {
  text: string;
  collation: Collation;
  matchType: MatchType;
  negate: boolean;
}

export interface ParamFilter {
  name: string;
  isNotDefined: boolean;
  textMatch?: TextMatch;
}

export interface PropFilter {
  name: string;
  isNotDefined: boolean;
  timeRange?: TimeRange;
  textMatch?: TextMatch;
  paramFilters: ParamFilter[];
}

export interface CompFilter {
  name: string;
  isNotDefined: boolean;
  timeRange?: TimeRange;
  propFilters: PropFilter[];
  compFilters: CompFilter[];
}

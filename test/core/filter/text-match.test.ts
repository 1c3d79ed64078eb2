import { describe, expect, it } from 'vitest';
import { textMatches } from '../../../lambda/core/filter/text-match';
import type { Collation, MatchType } from '../../../lambda/core/filter/types';

const tm = (text: string, collation: Collation = 'i;ascii-casemap', negate = false, matchType: MatchType = 'contains') => ({
  text,
  collation,
  negate,
  matchType,
});

describe('textMatches', () => {
  it('i;ascii-casemap (the default) folds ASCII letters only', () => {
    expect(textMatches(tm('MEET'), 'Team meeting')).toBe(true);
    expect(textMatches(tm('ÄRGER'), 'ärger')).toBe(false);
  });

  it('i;unicode-casemap folds non-ASCII letters and compatibility forms', () => {
    expect(textMatches(tm('ÄRGER', 'i;unicode-casemap'), 'großer ärger')).toBe(true);
    expect(textMatches(tm('STRASSE', 'i;unicode-casemap'), 'Hauptstraße')).toBe(true);
    expect(textMatches(tm('ﬁle', 'i;unicode-casemap'), 'FILE')).toBe(true);
  });

  it('i;octet compares exactly', () => {
    expect(textMatches(tm('Meet', 'i;octet'), 'Meeting')).toBe(true);
    expect(textMatches(tm('meet', 'i;octet'), 'Meeting')).toBe(false);
  });

  it('negate-condition inverts the result', () => {
    expect(textMatches(tm('lunch', 'i;ascii-casemap', true), 'Team meeting')).toBe(true);
    expect(textMatches(tm('meet', 'i;ascii-casemap', true), 'Team meeting')).toBe(false);
  });

  it('supports the match-type attribute', () => {
    expect(textMatches(tm('team', 'i;ascii-casemap', false, 'starts-with'), 'Team meeting')).toBe(true);
    expect(textMatches(tm('meeting', 'i;ascii-casemap', false, 'starts-with'), 'Team meeting')).toBe(false);
    expect(textMatches(tm('MEETING', 'i;ascii-casemap', false, 'ends-with'), 'Team meeting')).toBe(true);
    expect(textMatches(tm('team meeting', 'i;ascii-casemap', false, 'equals'), 'Team meeting')).toBe(true);
    expect(textMatches(tm('team', 'i;ascii-casemap', false, 'equals'), 'Team meeting')).toBe(false);
  });
});

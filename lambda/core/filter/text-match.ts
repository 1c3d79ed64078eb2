/** Substring matching under the collations of RFC 4790 §9 and RFC 5051 (RFC 4791 §7.5). */
import type { Collation, TextMatch } from './types';

/** i;ascii-casemap folds only A-Z, so non-ASCII letters still compare exactly. */
const asciiFold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * i;unicode-casemap (RFC 5051) is full case folding plus NFKD. JavaScript has no case folding;
 * upper-then-lower approximates it, including ß → ss.
 */
const unicodeFold = (s: string) => s.normalize('NFKD').toUpperCase().toLowerCase().normalize('NFKD');

const FOLD: Record<Collation, (s: string) => string> = {
  'i;octet': (s) => s,
  'i;ascii-casemap': asciiFold,
  'i;unicode-casemap': unicodeFold,
};

/** Whether `value` satisfies the text-match, negate-condition applied. */
export function textMatches(match: TextMatch, value: string): boolean {
  const fold = FOLD[match.collation];
  const haystack = fold(value);
  const needle = fold(match.text);
  let found: boolean;
  switch (match.matchType) {
    case 'equals':
      found = haystack === needle;
      break;
    case 'starts-with':
      found = haystack.startsWith(needle);
      break;
    case 'ends-with':
      found = haystack.endsWith(needle);
      break;
    default:
      found = haystack.includes(needle);
  }
  return found !== match.negate;
}

/**
 * Input rules every ObjectImporter shares, so the adapters agree on them whatever their batching:
 * within one input the first object of a UID or a name wins, and results list names in input order.
 */
import type { ImportResult, ObjectWrite } from './types';

export type ImportOutcome = 'created' | 'skipped' | 'tooLarge';

/** An input object with its position, so outcomes can be reported in input order. */
export interface Indexed {
  index: number;
  obj: ObjectWrite;
}

/**
 * Keeps each entry whose UID and name no earlier kept entry uses. Only kept entries claim a UID
 * or name: a duplicate never blocks a later object.
 */
export function firstOfEach<T extends Indexed>(entries: readonly T[]): { kept: T[]; duplicates: T[] } {
  const uids = new Set<string>();
  const names = new Set<string>();
  const kept: T[] = [];
  const duplicates: T[] = [];
  for (const e of entries) {
    if (uids.has(e.obj.uid) || names.has(e.obj.name)) {
      duplicates.push(e);
      continue;
    }
    uids.add(e.obj.uid);
    names.add(e.obj.name);
    kept.push(e);
  }
  return { kept, duplicates };
}

/** Per-input outcomes, collected in any order, reported in input order. */
export class ImportTally {
  private readonly outcomes: (ImportOutcome | undefined)[];

  constructor(private readonly objects: readonly ObjectWrite[]) {
    this.outcomes = new Array<ImportOutcome | undefined>(objects.length);
  }

  mark(entries: readonly Indexed[], outcome: ImportOutcome) {
    for (const e of entries) this.outcomes[e.index] = outcome;
  }

  result(seq: number): ImportResult {
    const pick = (outcome: ImportOutcome) => this.objects.filter((_, i) => this.outcomes[i] === outcome).map((o) => o.name);
    return { created: pick('created'), skipped: pick('skipped'), tooLarge: pick('tooLarge'), seq };
  }
}

export const indexed = (objects: readonly ObjectWrite[]): Indexed[] => objects.map((obj, index) => ({ index, obj }));

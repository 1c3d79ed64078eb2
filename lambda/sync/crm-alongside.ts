/**
 * Phone -> CRM inside the calendar's transaction, for a CRM stored with the calendar (the
 * built-in one): its part of a phone's PUT or DELETE is prepared from reads that share the
 * calendar write's round trip and committed in the same transaction. When it cannot be prepared
 * (a mapping the CRM refuses, an event that is not this object's), the calendar write commits
 * alone and the change hook (crm-change-hook.ts) makes the CRM change after it, outbox included.
 */
import { errorText, silentLogger, type Logger } from '../platform/log';
import type { AlongsideWrite, PendingChange } from '../core/types';

/** A CRM that can prepare a phone write's change as operations of the calendar store's engine. */
export interface AtomicCrm {
  phoneWrite(change: PendingChange): AlongsideWrite;
}

export function crmAlongside(crm: AtomicCrm, log: Logger = silentLogger): (change: PendingChange) => AlongsideWrite | undefined {
  return (change) => {
    let write: AlongsideWrite;
    try {
      write = crm.phoneWrite(change);
    } catch (err) {
      log('info', 'CRM change made after the calendar write', { owner: change.owner, error: errorText(err) });
      return undefined;
    }
    let carried = false;
    return {
      keys: write.keys,
      prepare: async (current) => {
        try {
          const operations = await write.prepare(current);
          carried = true;
          return operations;
        } catch (err) {
          carried = false;
          log('info', 'CRM change made after the calendar write', { owner: change.owner, error: errorText(err) });
          return [];
        }
      },
      carried: () => carried,
    };
  };
}

/** Storage-port failures → protocol errors, in one place for every writing method. */
import { DavError, notFound, preconditionFailed } from './errors';
import { CAL, D } from './namespaces';
import { hrefs, type ListRef } from './paths';
import { el } from './xml';
import { NotFound, ObjectTooLarge, PreconditionFailed, UidConflict, WriteContention } from '../store/types';

/** The store's reasons (store/types.ts checkCondition) in the words core uses for the same 412s. */
const PRECONDITION_TEXT: Record<string, string> = {
  'object exists': 'If-None-Match: the resource already exists',
  'etag mismatch': 'If-Match: the ETag has changed',
  'object does not exist': 'If-Match: the resource does not exist',
};

/** Rethrows `err` as a DavError when it is a known store failure; unknown errors pass through. `at`: the collection written. */
export function rethrowStoreError(err: unknown, at: ListRef, uid?: string): never {
  if (err instanceof PreconditionFailed) throw preconditionFailed(PRECONDITION_TEXT[err.message] ?? 'The resource changed meanwhile; fetch it again');
  if (err instanceof NotFound) throw notFound();
  if (err instanceof UidConflict) {
    const href = hrefs.object(at.email, err.existingName, at.list);
    throw new DavError(409, `Another calendar object (${href}) already holds UID ${uid ?? ''}`, CAL('no-uid-conflict'), {}, [
      el(D('href'), href),
    ]);
  }
  if (err instanceof ObjectTooLarge) {
    throw new DavError(413, `The calendar object is larger than the ${err.limit} bytes the store accepts`, CAL('max-resource-size'));
  }
  if (err instanceof WriteContention) {
    throw new DavError(503, 'The calendar is busy with concurrent writes; retry shortly', undefined, { 'retry-after': '1' });
  }
  throw err;
}

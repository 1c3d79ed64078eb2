import { describe, expect, it } from 'vitest';
import { DavError } from '../../lambda/core/errors';
import { rethrowStoreError } from '../../lambda/core/store-errors';
import { NotFound, ObjectTooLarge, PreconditionFailed, UidConflict, WriteContention } from '../../lambda/store/types';

const mapped = (err: unknown) => {
  try {
    rethrowStoreError(err, { email: 'a@b.c', list: 'events' }, 'uid-1');
  } catch (e) {
    return e;
  }
};

describe('rethrowStoreError', () => {
  it.each([
    [new PreconditionFailed('x'), 412, undefined],
    [new NotFound('x'), 404, undefined],
    [new UidConflict('other.ics'), 409, '{urn:ietf:params:xml:ns:caldav}no-uid-conflict'],
    [new ObjectTooLarge(500_000, 400_000), 413, '{urn:ietf:params:xml:ns:caldav}max-resource-size'],
    [new WriteContention('busy'), 503, undefined],
  ])('maps %s', (err, status, condition) => {
    const e = mapped(err) as DavError;
    expect(e).toBeInstanceOf(DavError);
    expect(e.status).toBe(status);
    expect(e.condition).toBe(condition);
  });

  it('names the holder of a conflicting UID', () => {
    const e = mapped(new UidConflict('other.ics')) as DavError;
    expect(e.message).toContain('/calendars/a@b.c/crm/other.ics');
  });

  it('passes unknown errors through untouched', () => {
    const boom = new Error('boom');
    expect(mapped(boom)).toBe(boom);
  });
});

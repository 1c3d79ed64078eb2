/** Core reports each committed write to ctx.onObjectChange, and only committed ones. */
import { describe, expect, it } from 'vitest';
import { deleteMethod } from '../../../lambda/core/methods/delete';
import type { ObjectChange } from '../../../lambda/core/types';
import { ALICE, call, makeCtx } from './harness';
import { eventIcs, objectPath, putIcs } from './object-helpers';

function listening() {
  const changes: ObjectChange[] = [];
  const ctx = { ...makeCtx(), onObjectChange: async (c: ObjectChange) => void changes.push(c) };
  return { ctx, changes };
}

describe('the object change hook', () => {
  it('gets the stored object after a PUT and the removed UID after a DELETE', async () => {
    const { ctx, changes } = listening();
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('uid-1'))).status).toBe(201);
    expect(changes).toEqual([{ kind: 'put', owner: ALICE, object: await ctx.store.getObject(ALICE, 'e1.ics'), carried: false }]);
    expect((await call(deleteMethod, ctx, { method: 'DELETE', path: objectPath('e1.ics') })).status).toBe(204);
    expect(changes[1]).toEqual({ kind: 'delete', owner: ALICE, name: 'e1.ics', uid: 'uid-1', carried: false });
  });

  it('is not called when the write is refused', async () => {
    const { ctx, changes } = listening();
    await putIcs(ctx, objectPath('e1.ics'), eventIcs('uid-1'));
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('uid-1', 'Again'), { 'if-match': '"stale"' })).status).toBe(412);
    expect((await call(deleteMethod, ctx, { method: 'DELETE', path: objectPath('gone.ics') })).status).toBe(404);
    expect(changes).toHaveLength(1);
  });
});

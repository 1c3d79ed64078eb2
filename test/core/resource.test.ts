import { describe, expect, it } from 'vitest';
import { resolvePath } from '../../lambda/core/paths';
import { hrefOf, loadResource } from '../../lambda/core/resource';
import { makeCtx, seedObject } from './methods/harness';

describe('loadResource', () => {
  it('loads calendar meta and objects, null for what does not exist', async () => {
    const ctx = makeCtx();
    await seedObject(ctx, 'alice@example.com', 'a.ics');
    expect(await loadResource(resolvePath('/calendars/alice@example.com/crm/'), ctx)).toEqual({
      kind: 'calendar',
      email: 'alice@example.com',
      list: 'events',
      meta: { seq: 1, props: {} },
    });
    // The tasks list is its own collection: its own counter, nothing of the calendar's objects.
    expect(await loadResource(resolvePath('/calendars/alice@example.com/tasks/'), ctx)).toEqual({
      kind: 'calendar',
      email: 'alice@example.com',
      list: 'tasks',
      meta: { seq: 0, props: {} },
    });
    expect(await loadResource(resolvePath('/calendars/alice@example.com/tasks/a.ics'), ctx)).toBeNull();
    const obj = await loadResource(resolvePath('/calendars/alice@example.com/crm/a.ics'), ctx);
    expect(obj?.kind === 'object' && obj.object.etag).toBe('"etag-a"');
    expect(await loadResource(resolvePath('/calendars/alice@example.com/crm/b.ics'), ctx)).toBeNull();
    expect(await loadResource(resolvePath('/calendars/alice@example.com/local/'), ctx)).toBeNull();
    expect(await loadResource(resolvePath('/elsewhere'), ctx)).toBeNull();
  });

  it.each(['/', '/principals/', '/principals/a@b.c/', '/calendars/a@b.c/', '/calendars/a@b.c/crm/', '/calendars/a@b.c/tasks/'])(
    'round-trips %s through hrefOf',
    async (path) => {
      const res = await loadResource(resolvePath(path), makeCtx());
      expect(res && hrefOf(res)).toBe(path);
    },
  );
});

/**
 * The initial export's tasks half on DynamoDB Local: open tasks and those completed in the 30
 * days before the enable go to the owner's tasks list, after the events; the nearest 2,000 by due
 * date when more qualify; the result is on the job and in the summary beside the events'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachBuiltinTasks } from '../../lambda/crm/builtin/tasks';
import { planTaskExport } from '../../lambda/jobs/export-tasks';
import { runScheduledPass } from '../../lambda/jobs/pass';
import { exportProgress } from '../../lambda/jobs/progress';
import { uidForCrmId } from '../../lambda/crm/mapping';
import { DEFAULT_TASK_PICKLISTS, taskFieldDefaults, type CrmTask, type CrmTaskDraft } from '../../lambda/crm/types';
import { ENABLED_AT, PAT, SAM, event, jobWorld, type JobWorld } from './world';

const task = (owner: string, fields: Partial<CrmTaskDraft>): CrmTaskDraft => ({
  Subject: 'Follow up',
  ...taskFieldDefaults(),
  ...fields,
  Owner: { id: owner, email: owner, name: owner },
  caldav: null,
});

describe('initial export: tasks', () => {
  let w: JobWorld;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    w = await jobWorld();
    // As buildApp plugs it in (app/task-parts.ts); the export needs only the CRM's Tasks module.
    const tasks = attachBuiltinTasks(w.crm).tasks!;
    const add = async (key: string, draft: CrmTaskDraft) => (ids[key] = (await tasks.upsertTask(draft)).id);
    await w.save(event(PAT, '2026-11-20T10:00:00+01:00', '2026-11-20T11:00:00+01:00'));
    await add('open', task(PAT, { Due_Date: '2026-11-27' }));
    await add('openUndated', task(PAT, {}));
    await add('openOld', task(PAT, { Due_Date: '2019-01-01', Status: 'In Progress' }));
    await add('doneRecently', task(PAT, { Status: 'Completed', Closed_Time: '2026-11-01T09:00:00.000Z' }));
    await add('doneLongAgo', task(PAT, { Status: 'Completed', Closed_Time: '2026-10-20T09:00:00.000Z' }));
    await add('samsOwn', task(SAM, { Due_Date: '2026-11-26' }));
    const gone = await add('deleted', task(PAT, { Due_Date: '2026-11-26' }));
    await tasks.deleteTask(gone);
  });
  afterAll(() => w.t.drop());

  it('writes open tasks and those completed in the last 30 days to the owner\'s tasks list, after the events', async () => {
    const report = await runScheduledPass(w.deps);
    expect(report.exports.map((r) => ('outcome' in r ? [r.email, r.outcome] : r))).toEqual([
      [PAT, 'done'],
      [SAM, 'done'],
    ]);
    const listed = async (owner: string) => (await w.store.listObjects(`${owner}#tasks`)).map((o) => o.name.replace(/\.ics$/, '')).sort();
    expect(await listed(PAT)).toEqual(['open', 'openUndated', 'openOld', 'doneRecently'].map((k) => uidForCrmId(ids[k]!)).sort());
    expect(await listed(SAM)).toEqual([uidForCrmId(ids.samsOwn!)]);
    // The events export is untouched by it.
    expect((await w.store.listObjects(PAT)).length).toBe(1);
    expect((await w.store.getObject(`${PAT}#tasks`, `${uidForCrmId(ids.doneRecently!)}.ics`))!.ics).toContain('STATUS:COMPLETED');
  });

  it('keeps the result on the job and says it beside the events in the summary; a later pass does not run it again', async () => {
    const job = await w.jobs.getExport(PAT);
    expect(job).toMatchObject({ status: 'done', exported: 1, tasks: { total: 4, exported: 4, leftOut: 0 } });
    const view = exportProgress((await w.users.getUser(PAT))!, job);
    expect(view.tasks).toEqual({ total: 4, exported: 4, leftOut: 0 });
    expect(view.summary).toBe('done: 1 exported; tasks: 4 exported');
    const seq = (await w.store.getCalendar(`${PAT}#tasks`)).seq;
    await runScheduledPass(w.deps);
    expect((await w.store.getCalendar(`${PAT}#tasks`)).seq).toBe(seq);
  });
});

describe('the tasks export plan', () => {
  const at = '2026-11-10T00:00:00.000Z';
  const t = (id: string, fields: Partial<CrmTask>): CrmTask => ({
    ...task(PAT, fields),
    id,
    Created_Time: at,
    Modified_Time: fields.Modified_Time ?? at,
    Deleted: false,
    caldav: null,
  });

  it('keeps the nearest by due date, undated ones last (newest first), and counts the rest as left out', () => {
    const tasks = [
      t('far', { Due_Date: '2027-06-01' }),
      t('near', { Due_Date: '2026-11-11' }),
      t('before', { Due_Date: '2026-11-05' }),
      t('undated-old', { Modified_Time: '2026-01-01T00:00:00.000Z' }),
      t('undated-new', { Modified_Time: '2026-11-01T00:00:00.000Z' }),
    ];
    const all = planTaskExport(tasks, PAT, ENABLED_AT.replace('2026-11-25T10', '2026-11-10T00'), DEFAULT_TASK_PICKLISTS);
    expect(all.tasks.map((x) => x.id)).toEqual(['near', 'before', 'far', 'undated-new', 'undated-old']);
    const limited = planTaskExport(tasks, PAT, at, DEFAULT_TASK_PICKLISTS, 2);
    expect(limited.tasks.map((x) => x.id)).toEqual(['near', 'before']);
    expect(limited.leftOut).toBe(3);
  });
});

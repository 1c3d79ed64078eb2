/**
 * calcurse-caldav end to end against the local server (issue #26): one calcurse, two
 * configurations, because calcurse-caldav syncs one collection per configuration and we keep
 * events and to-dos apart. `SyncFilter = cal` on the CRM calendar and `SyncFilter = todo` on the
 * tasks list (docs/tasks.md). Its default, `cal,todo` against the calendar, gets the calendar's 403
 * for the to-do, whose body names the tasks list.
 *
 * Runs where Debian's calcurse and Python's httplib2 (python3-httplib2) are installed; skipped
 * elsewhere, so `npm test` stays green on a machine without them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInteropServer, type InteropServer, type TestUser } from '../helpers/server';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = '/usr/bin/calcurse-caldav';

function available(): boolean {
  if (!existsSync(SCRIPT) || !existsSync('/usr/bin/calcurse') || !existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import httplib2'], { stdio: 'ignore' }).status === 0;
}

const EMAIL = 'cal@example.com';
const SEED = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN',
  'BEGIN:VEVENT', 'UID:cc-event-1', 'DTSTAMP:20261201T000000Z', 'DTSTART:20261210T090000Z', 'DTEND:20261210T100000Z', 'SUMMARY:Client call from calcurse', 'END:VEVENT',
  'BEGIN:VTODO', 'UID:cc-todo-1', 'DTSTAMP:20261201T000000Z', 'SUMMARY:Send the quote from calcurse', 'PRIORITY:3', 'END:VTODO',
  'END:VCALENDAR', '',
].join('\r\n');

let server: InteropServer;
let user: TestUser;
let dir: string;

async function calcurseCaldav(name: string, args: string[] = []) {
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg-config'), XDG_DATA_HOME: join(dir, 'xdg-data'), CALCURSE_CALDAV_PASSWORD: user.password, TZ: 'UTC' };
  const files = ['--config', join(dir, `${name}.conf`), '--datadir', join(dir, 'data'), '--lockfile', join(dir, `${name}.lock`), '--syncdb', join(dir, `${name}.db`), '--hookdir', join(dir, 'hooks')];
  try {
    const { stdout } = await run(PYTHON, [SCRIPT, ...files, '--verbose', ...args], { env, timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    rmSync(join(dir, `${name}.lock`), { force: true });
  }
}

function writeConfig(name: string, path: string, filter: string) {
  const host = new URL(server.url).host;
  writeFileSync(
    join(dir, `${name}.conf`),
    ['[General]', 'Binary = calcurse', `Hostname = ${host}`, `Path = ${path}`, 'AuthMethod = basic', 'HTTPS = No', 'DryRun = No', `SyncFilter = ${filter}`, '', '[Auth]', `Username = ${EMAIL}`, ''].join('\n'),
  );
}

describe.skipIf(!available())('calcurse-caldav with two configurations', () => {
  beforeAll(async () => {
    server = await startInteropServer();
    user = await server.addUser(EMAIL);
    dir = mkdtempSync(join(tmpdir(), 'calcurse-'));
    for (const d of ['data', 'hooks', 'xdg-config', 'xdg-data']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'seed.ics'), SEED);
    await run('calcurse', ['-D', join(dir, 'data'), '-i', join(dir, 'seed.ics')], { env: { ...process.env, HOME: dir, TZ: 'UTC' } });
    writeConfig('default', `/calendars/${EMAIL}/crm/`, 'cal,todo');
    writeConfig('calendar', `/calendars/${EMAIL}/crm/`, 'cal');
    writeConfig('tasks', `/calendars/${EMAIL}/tasks/`, 'todo');
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the default SyncFilter = cal,todo against the calendar is refused for the to-do, and nothing of it is stored", async () => {
    const res = await calcurseCaldav('default', ['--init', 'two-way']);
    expect(res.code).not.toBe(0);
    expect(res.out).toMatch(/403/);
    expect((await server.store.listObjects(`${EMAIL}#tasks`)).length).toBe(0);
    // What a user trying it by hand sees in the body: where the tasks list is.
    const put = await server.as(user).put(`/calendars/${EMAIL}/crm/cc-todo-1.ics`, SEED.replace(/BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/, ''));
    expect(put.status).toBe(403);
    expect(put.text).toContain(`/calendars/${EMAIL}/tasks/`);
    expect(put.text).toContain('SyncFilter = todo');
  });

  it('SyncFilter = cal on the calendar uploads the appointment; SyncFilter = todo on the tasks list uploads the to-do', async () => {
    // The refused run may have uploaded the appointment before the to-do: start from an empty calendar.
    for (const o of await server.store.listObjects(EMAIL)) expect((await server.as(user).delete(`/calendars/${EMAIL}/crm/${o.name}`)).status).toBe(204);
    expect((await calcurseCaldav('calendar', ['--init', 'two-way'])).code).toBe(0);
    expect((await calcurseCaldav('tasks', ['--init', 'two-way'])).code).toBe(0);
    const events = await server.store.getObjects(EMAIL, (await server.store.listObjects(EMAIL)).map((o) => o.name));
    expect(events.map((o) => /SUMMARY:(.*)/.exec(o.ics)![1]!.trim())).toEqual(['Client call from calcurse']);
    const todos = await server.store.getObjects(`${EMAIL}#tasks`, (await server.store.listObjects(`${EMAIL}#tasks`)).map((o) => o.name));
    expect(todos.map((o) => /SUMMARY:(.*)/.exec(o.ics)![1]!.trim())).toEqual(['Send the quote from calcurse']);
    // And it is a CRM task of the user.
    const crm = await fetch(new URL('/crm/v1/tasks', server.url), { headers: { authorization: user.authorization } });
    expect(((await crm.json()) as { data: Array<{ Subject: string }> }).data.map((t) => t.Subject)).toEqual(['Send the quote from calcurse']);
  });

  it('a task made in the CRM reaches calcurse through the tasks configuration; the calendar configuration leaves it alone', async () => {
    const made = await fetch(new URL('/crm/v1/tasks', server.url), {
      method: 'POST',
      headers: { authorization: user.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ Subject: 'Made in the CRM', Priority: 'Highest' }),
    });
    expect(made.status).toBe(201);
    expect((await calcurseCaldav('calendar')).code).toBe(0);
    expect(readFileSync(join(dir, 'data', 'todo'), 'utf8')).not.toContain('Made in the CRM');
    expect((await calcurseCaldav('tasks')).code).toBe(0);
    expect(readFileSync(join(dir, 'data', 'todo'), 'utf8')).toContain('Made in the CRM');
  });
});

/**
 * The users list: search, pages of 25, and adding a user (whose app password is shown once).
 * Each row says at a glance whether CalDAV is on, whether a device syncs (and when it last did)
 * and whether changes wait for the CRM.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type UserActivity, type UserPage } from './api';
import { Notice, SecretOnce, TimeZoneInput, ago, formatTime, problemText, useAction } from './parts';

const PAGE = 25;

export function Users({ notice }: { notice?: string }) {
  const [query, setQuery] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<UserPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const after = cursors[cursors.length - 1];

  const load = useCallback(() => {
    api.users(query.trim(), after, PAGE).then(
      (p) => {
        setPage(p);
        setError(null);
      },
      (err: unknown) => setError(problemText(err)),
    );
  }, [query, after]);

  // Typing waits a moment before it asks the server.
  useEffect(() => {
    const timer = setTimeout(load, 200);
    return () => clearTimeout(timer);
  }, [load]);

  const search = (q: string) => {
    setQuery(q);
    setCursors([undefined]);
  };

  return (
    <main>
      <div class="row spread">
        <h1>Users</h1>
        <button type="button" onClick={() => setAdding(!adding)} aria-expanded={adding}>
          Add user
        </button>
      </div>
      {notice && <Notice kind="ok">{notice}</Notice>}
      {adding && <AddUser onAdded={() => load()} />}
      <input type="search" placeholder="Search by e-mail or name" aria-label="Search users" value={query} onInput={(e) => search(e.currentTarget.value)} />
      {error && <Notice kind="error">{error}</Notice>}
      {page && (
        <>
          <div class="scroll">
          <table data-testid="users">
            <thead>
              <tr>
                <th>User</th>
                <th>CalDAV</th>
                <th>Devices</th>
                <th>Waiting for the CRM</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((u) => (
                <tr key={u.email}>
                  <td>
                    <a href={`#/users/${encodeURIComponent(u.email)}`}>{u.email}</a>
                    {u.name !== u.email && <div class="muted small">{u.name}</div>}
                  </td>
                  <td>
                    <span class={`badge ${u.caldavEnabled ? 'on' : 'off'}`} title={u.caldavEnabled && u.caldavEnabledAt ? `since ${formatTime(u.caldavEnabledAt)}` : undefined}>
                      {u.caldavEnabled ? 'Enabled' : 'Disabled'}
                    </span>
                  </td>
                  <td data-testid="devices-cell">
                    <DevicesCell activity={u} />
                  </td>
                  <td data-testid="pending-cell">
                    <PendingCell pending={u.pending} />
                  </td>
                </tr>
              ))}
              {page.data.length === 0 && (
                <tr>
                  <td colSpan={4} class="muted">
                    {query ? `No user matches “${query}”.` : 'No users yet: add one.'}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          </div>
          <div class="row spread">
            <span class="muted">
              {page.info.total} user{page.info.total === 1 ? '' : 's'}
              {query ? ' found' : ''}
            </span>
            <span class="row">
              <button type="button" class="plain" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                Previous
              </button>
              <button type="button" class="plain" disabled={!page.info.next} onClick={() => setCursors([...cursors, page.info.next])}>
                Next
              </button>
            </span>
          </div>
        </>
      )}
    </main>
  );
}

function DevicesCell({ activity }: { activity: UserActivity }) {
  if (activity.devices === null) return <span class="muted">–</span>;
  if (activity.devices === 0) return <span class="muted">none yet</span>;
  return (
    <span title={activity.lastSeenAt ? formatTime(activity.lastSeenAt) : undefined}>
      {activity.devices} · {activity.lastSeenAt ? ago(activity.lastSeenAt) : ''}
    </span>
  );
}

function PendingCell({ pending }: { pending: number | null }) {
  if (pending === null) return <span class="muted">–</span>;
  if (pending === 0) return <span class="muted">nothing</span>;
  return <span class="badge warn">{pending} waiting</span>;
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [enable, setEnable] = useState(true);
  const [created, setCreated] = useState<{ email: string; appPassword?: string } | null>(null);
  const { busy, error, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const user = await api.addUser({ email: email.trim(), ...(name.trim() ? { name: name.trim() } : {}), ...(timeZone ? { timeZone } : {}), caldavEnabled: enable });
      setCreated({ email: user.email, appPassword: user.appPassword });
      setEmail('');
      setName('');
      onAdded();
    });
  };

  return (
    <section class="card">
      {created && (
        <>
          <Notice kind="ok">
            Added <a href={`#/users/${encodeURIComponent(created.email)}`}>{created.email}</a>
            {created.appPassword ? '; CalDAV is on and the initial export has started.' : '.'}
          </Notice>
          {created.appPassword && <SecretOnce label={`App password for ${created.email}`} secret={created.appPassword} onDone={() => setCreated({ email: created.email })} />}
        </>
      )}
      <form onSubmit={submit} class="grid">
        <label>
          E-mail
          <input type="email" name="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Name
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <TimeZoneInput value={timeZone} onChange={setTimeZone} />
        <label class="check">
          <input type="checkbox" name="enable" checked={enable} onChange={(e) => setEnable(e.currentTarget.checked)} />
          Turn CalDAV on now (makes an app password)
        </label>
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add'}
        </button>
      </form>
    </section>
  );
}

/** The users list: search, pages of 25, and adding a user (whose app password is shown once). */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type UserPage } from './api';
import { Notice, SecretOnce, formatTime, problemText, useAction } from './parts';

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
          <table>
            <thead>
              <tr>
                <th>E-mail</th>
                <th>Name</th>
                <th>CalDAV</th>
                <th>Enabled since</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((u) => (
                <tr key={u.email}>
                  <td>
                    <a href={`#/users/${encodeURIComponent(u.email)}`}>{u.email}</a>
                  </td>
                  <td>{u.name}</td>
                  <td>
                    <span class={`badge ${u.caldavEnabled ? 'on' : 'off'}`}>{u.caldavEnabled ? 'Enabled' : 'Disabled'}</span>
                  </td>
                  <td>{u.caldavEnabled && u.caldavEnabledAt ? formatTime(u.caldavEnabledAt) : '–'}</td>
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
        <label>
          Time zone
          <input name="timeZone" value={timeZone} onInput={(e) => setTimeZone(e.currentTarget.value)} />
        </label>
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

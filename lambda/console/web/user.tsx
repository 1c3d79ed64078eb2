/**
 * One user: CalDAV on or off, a new app password, an iPhone set-up link (with its QR code),
 * deletion; the initial export's progress, the changes waiting for the CRM (with a retry), and
 * the devices that synced and when.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiProblem, api, type UserView, type DeviceActivity, type ExportProgressView, type SyncStatus } from './api';
import { ExportBar, Notice, Qr, SecretOnce, ago, formatTime, problemText, useAction, usePolling } from './parts';

export function User({ email, onDeleted }: { email: string; onDeleted: (notice: string) => void }) {
  const [user, setUser] = useState<UserView | null>(null);
  const [missing, setMissing] = useState(false);
  const [progress, setProgress] = useState<ExportProgressView | null>(null);
  const [pending, setPending] = useState<SyncStatus | null>(null);
  const [devices, setDevices] = useState<DeviceActivity[] | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { error, run } = useAction();
  const act = (work: () => Promise<void>) => {
    setNotice(null);
    return run(work);
  };

  const loadExport = useCallback(() => {
    api.exportOf(email).then(setProgress, () => setProgress(null));
  }, [email]);
  const loadPending = useCallback(() => {
    api.status(email).then(setPending, () => setPending(null));
  }, [email]);
  const load = useCallback(() => {
    api.user(email).then(setUser, (err: unknown) => (err instanceof ApiProblem && err.status === 404 ? setMissing(true) : setNotice(problemText(err))));
    api.devices(email).then(setDevices, () => setDevices(null));
    loadExport();
    loadPending();
  }, [email, loadExport, loadPending]);
  useEffect(load, [load]);
  usePolling(loadExport, 1500, progress?.state === 'queued' || progress?.state === 'running');

  if (missing) return <main><Notice kind="error">There is no user {email}.</Notice></main>;
  if (!user) return <main aria-busy="true"><p class="muted">Loading…</p></main>;

  return (
    <main>
      <p>
        <a href="#/users">← Users</a>
      </p>
      <div class="row spread">
        <div>
          <h1>{user.name}</h1>
          <p class="muted">
            {user.email} · {user.timeZone}
          </p>
        </div>
        <span class={`badge ${user.caldavEnabled ? 'on' : 'off'}`} data-testid="caldav-state">
          CalDAV {user.caldavEnabled ? 'enabled' : 'disabled'}
        </span>
      </div>
      {notice && <Notice kind="ok">{notice}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {secret && <SecretOnce label={`New app password for ${user.email}`} secret={secret} onDone={() => setSecret(null)} />}

      <section class="card">
        <h2>Access</h2>
        <div class="row">
          {user.caldavEnabled ? (
            <button type="button" class="danger" onClick={() => act(async () => {
              setUser(await api.setEnabled(email, false));
              setNotice('CalDAV is off: every device of this user is refused from now on.');
              loadExport();
            })}>
              Disable CalDAV
            </button>
          ) : (
            <button type="button" onClick={() => act(async () => {
              const updated = await api.setEnabled(email, true);
              setUser(updated);
              setSecret(updated.appPassword ?? null);
              setNotice('CalDAV is on; the initial export has started.');
              loadExport();
            })}>
              Enable CalDAV
            </button>
          )}
          <button type="button" class="plain" disabled={!user.caldavEnabled} onClick={() => act(async () => {
            setSecret((await api.resetPassword(email)).appPassword);
            setNotice('The previous app password no longer works.');
          })}>
            Reset app password
          </button>
        </div>
        {user.caldavEnabled && <SetUpLink email={email} />}
      </section>

      <section class="card">
        <h2>Initial export</h2>
        {progress ? <ExportBar progress={progress} /> : <p class="muted">Not available.</p>}
      </section>

      <section class="card">
        <h2>Changes waiting for the CRM</h2>
        <Pending email={email} status={pending} onRetried={(text) => {
          setNotice(text);
          loadPending();
        }} />
      </section>

      <section class="card">
        <h2>Devices</h2>
        <Devices devices={devices} />
      </section>

      <section class="card danger-zone">
        <h2>Delete user</h2>
        <DeleteUser email={email} onDeleted={onDeleted} />
      </section>
    </main>
  );
}

function SetUpLink({ email }: { email: string }) {
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const { error, run } = useAction();
  return (
    <div class="setup">
      <h3>iPhone set-up link</h3>
      <p class="muted">
        Opened on the iPhone, it installs the account in two taps (or shows the settings to type). It works once, for 24 hours, and gives the
        user a new app password.
      </p>
      <button type="button" class="plain" onClick={() => run(async () => setLink(await api.link(email, 24)))}>
        {link ? 'Make a new link' : 'Make a set-up link'}
      </button>
      {error && <Notice kind="error">{error}</Notice>}
      {link && (
        <div class="row top">
          <Qr text={link.url} />
          <div>
            <p>
              <a href={link.url} data-testid="setup-link">
                {link.url}
              </a>
            </p>
            <p class="muted">Valid until {formatTime(link.expiresAt)}. Scan it with the iPhone's camera, or send the link.</p>
          </div>
        </div>
      )}
    </div>
  );
}

function Pending({ email, status, onRetried }: { email: string; status: SyncStatus | null; onRetried: (text: string) => void }) {
  const { busy, error, run } = useAction();
  if (!status) return <p class="muted">Not available: no CRM sync is configured.</p>;
  const mine = status.users.find((u) => u.owner === email);
  const retry = () =>
    run(async () => {
      const r = await api.retry(email);
      onRetried(`Retried: ${r.delivered} delivered, ${r.failed} still failing.`);
    });
  return (
    <div data-testid="pending">
      {mine ? (
        <>
          <p>
            <strong>{mine.pending}</strong> change{mine.pending === 1 ? '' : 's'} waiting since {formatTime(mine.oldestPendingSince)} ({mine.attempts} failed attempt
            {mine.attempts === 1 ? '' : 's'}).
          </p>
          {mine.lastError ? (
            <p class="muted">
              Last error {ago(mine.lastError.at)}, on {mine.lastError.name}: {mine.lastError.message}
            </p>
          ) : (
            <p class="muted">On its way to the CRM; no delivery has failed.</p>
          )}
        </>
      ) : (
        <p>Nothing waiting: every change from this user's devices has reached the CRM.</p>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <button type="button" class="plain" disabled={busy || !mine} onClick={retry}>
        {busy ? 'Retrying…' : 'Retry now'}
      </button>
    </div>
  );
}

function Devices({ devices }: { devices: DeviceActivity[] | null }) {
  if (devices === null) return <p class="muted">Not available.</p>;
  if (devices.length === 0) return <p class="muted">No device has synced yet.</p>;
  return (
    <table data-testid="devices">
      <thead>
        <tr>
          <th>Device (user agent)</th>
          <th>Last request</th>
          <th>Method</th>
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.userAgent}>
            <td class="ua">{d.userAgent}</td>
            <td title={formatTime(d.lastSeenAt)}>{ago(d.lastSeenAt)}</td>
            <td>{d.lastMethod}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeleteUser({ email, onDeleted }: { email: string; onDeleted: (notice: string) => void }) {
  const [typed, setTyped] = useState('');
  const { busy, error, run } = useAction();
  const remove = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await api.deleteUser(email);
      onDeleted(`Deleted ${email}: ${r.objects} calendar object(s) removed, ${r.pendingDropped} change(s) not yet in the CRM dropped. Their CRM events are kept.`);
    });
  };
  return (
    <form onSubmit={remove}>
      <p class="muted">Removes the account, its calendar and changes not yet in the CRM, at once. The user's events stay in the CRM.</p>
      <label>
        Type the e-mail to confirm
        <input name="confirm" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" />
      </label>
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" class="danger" disabled={busy || typed.trim().toLowerCase() !== email}>
        Delete {email}
      </button>
    </form>
  );
}

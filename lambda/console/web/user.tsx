/**
 * One user: CalDAV on or off (turning it off, or a new app password, asks first; turning it back
 * on may keep the password), the time zone, an iPhone set-up link (with its QR code), deletion;
 * the initial export's progress, the changes waiting for the CRM (with a retry), and the devices
 * that synced and when.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiProblem, api, type UserView, type DeviceView, type ExportProgressView, type SyncStatus } from './api';
import { Confirm, ExportBar, Notice, Qr, SecretOnce, TimeZoneInput, ago, formatTime, problemText, useAction, usePolling } from './parts';

/** After an enable the export has been started: follow it closely until it shows its real state. */
const FOLLOW_MS = 400;
const POLL_MS = 1500;

export function User({ email, onDeleted }: { email: string; onDeleted: (notice: string) => void }) {
  const [user, setUser] = useState<UserView | null>(null);
  const [missing, setMissing] = useState(false);
  const [progress, setProgress] = useState<ExportProgressView | null>(null);
  const [pending, setPending] = useState<SyncStatus | null>(null);
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  // Set by an enable: the export was started with it, so "queued" only means "starting".
  const [starting, setStarting] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { error, run } = useAction();
  const act = (work: () => Promise<void>) => {
    setNotice(null);
    return run(work);
  };

  const loadExport = useCallback(() => {
    api.exportOf(email).then(
      (p) => {
        setProgress(p);
        if (p.state !== 'queued') setStarting(false);
      },
      () => setProgress(null),
    );
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
  usePolling(loadExport, starting ? FOLLOW_MS : POLL_MS, progress?.state === 'queued' || progress?.state === 'running');

  const enable = (keepPassword: boolean) =>
    act(async () => {
      const updated = await api.setEnabled(email, true, keepPassword);
      setUser(updated);
      setSecret(updated.appPassword ?? null);
      setNotice(keepPassword ? 'CalDAV is on again with the app password it had; the initial export has started.' : 'CalDAV is on; the initial export has started.');
      setStarting(true);
      loadExport();
    });

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
            <Confirm
              label="Disable CalDAV"
              question={`Turn CalDAV off for ${user.email}? Every device of this user is refused from its next request; the calendar and the password are kept.`}
              confirm="Disable CalDAV"
              danger
              onConfirm={() =>
                act(async () => {
                  setUser(await api.setEnabled(email, false));
                  setNotice('CalDAV is off: every device of this user is refused from now on.');
                  loadExport();
                })
              }
            />
          ) : (
            <>
              {user.hasAppPassword && (
                <button type="button" onClick={() => enable(true)}>
                  Enable, keep the app password
                </button>
              )}
              <button type="button" class={user.hasAppPassword ? 'plain' : undefined} onClick={() => enable(false)}>
                {user.hasAppPassword ? 'Enable with a new app password' : 'Enable CalDAV'}
              </button>
            </>
          )}
          <Confirm
            label="Reset app password"
            question={`Make a new app password for ${user.email}? The current one stops working at once: every device must be given the new one.`}
            confirm="Make a new password"
            disabled={!user.caldavEnabled}
            onConfirm={() =>
              act(async () => {
                setSecret((await api.resetPassword(email)).appPassword);
                setNotice('The previous app password no longer works.');
              })
            }
          />
        </div>
        {!user.caldavEnabled && user.hasAppPassword && (
          <p class="muted">Keeping the password suits a user who was off for a while; after a lost device or a person leaving, make a new one.</p>
        )}
        <TimeZone user={user} onSaved={(u) => {
          setUser(u);
          setNotice(`Time zone set to ${u.timeZone}.`);
        }} />
        {user.caldavEnabled && <SetUpLink email={email} />}
      </section>

      <section class="card">
        <h2>Initial export</h2>
        {progress ? <ExportBar progress={progress} starting={starting} /> : <p class="muted">Not available.</p>}
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
              <a href={link.url} class="long" data-testid="setup-link">
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

function Devices({ devices }: { devices: DeviceView[] | null }) {
  if (devices === null) return <p class="muted">Not available.</p>;
  if (devices.length === 0) return <p class="muted">No device has synced yet.</p>;
  return (
    <div class="scroll">
      <table data-testid="devices">
        <thead>
          <tr>
            <th>Device</th>
            <th>System</th>
            <th>Last request</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.userAgent}>
              <td>
                {d.client}
                <div class="muted small ua" title="The user agent it sends">
                  {d.userAgent}
                </div>
              </td>
              <td>{d.os ?? '–'}</td>
              <td title={formatTime(d.lastSeenAt)}>
                {ago(d.lastSeenAt)}
                <div class="muted small">{d.lastMethod}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TimeZone({ user, onSaved }: { user: UserView; onSaved: (u: UserView) => void }) {
  const [zone, setZone] = useState(user.timeZone);
  const { busy, error, run } = useAction();
  const save = (e: Event) => {
    e.preventDefault();
    void run(async () => onSaved(await api.setTimeZone(user.email, zone)));
  };
  return (
    <form class="row bottom" onSubmit={save}>
      <TimeZoneInput value={zone} onChange={setZone} />
      <button type="submit" class="plain" disabled={busy || zone.trim() === user.timeZone}>
        Save time zone
      </button>
      {error && <Notice kind="error">{error}</Notice>}
    </form>
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

/** What runs for everyone: the release, the schedule, reconciliation, and changes waiting for the CRM. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Organisation as Overview } from './api';
import { Notice, ago, formatTime, problemText, useAction } from './parts';

export function Organisation() {
  const [org, setOrg] = useState<Overview | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const load = useCallback(() => {
    api.organisation().then(setOrg, (err: unknown) => setLoadError(problemText(err)));
  }, []);
  useEffect(load, [load]);

  const retryAll = () =>
    run(async () => {
      const r = await api.retry();
      setDone(`Retried every user's waiting changes: ${r.delivered} delivered, ${r.failed} still failing.`);
      load();
    });

  if (!org) return <main>{loadError ? <Notice kind="error">{loadError}</Notice> : <p class="muted">Loading…</p>}</main>;
  const rec = org.reconciliation;
  return (
    <main>
      <h1>Organisation</h1>
      {done && <Notice kind="ok">{done}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      <section class="card">
        <h2>Server</h2>
        <dl>
          <dt>Version</dt>
          <dd data-testid="version">{org.version ?? 'unknown'}</dd>
          <dt>Scheduled job</dt>
          <dd>{org.schedule.everyMinutes ? `every ${org.schedule.everyMinutes} minutes (changes waiting for the CRM, initial exports, reconciliation)` : 'not scheduled here'}</dd>
        </dl>
      </section>
      <section class="card">
        <h2>Reconciliation</h2>
        <p class="muted">Brings CRM changes made outside its API (imports, other integrations) to the phones.</p>
        {rec?.lastRunAt ? (
          <dl>
            <dt>Last run</dt>
            <dd title={formatTime(rec.lastRunAt)} data-testid="reconciled">
              {ago(rec.lastRunAt)}
            </dd>
            <dt>Changes applied then</dt>
            <dd>{rec.lastApplied ?? 0}</dd>
            <dt>Position in the CRM's change feed</dt>
            <dd>
              <code>{rec.cursor ?? 'start'}</code>
            </dd>
          </dl>
        ) : (
          <p data-testid="reconciled">Not run yet.</p>
        )}
      </section>
      <section class="card">
        <h2>Changes waiting for the CRM</h2>
        {org.pending === null ? (
          <p class="muted">No CRM sync is configured.</p>
        ) : org.pending.pending === 0 ? (
          <p>Nothing waiting: every change from the devices has reached the CRM.</p>
        ) : (
          <>
            <p>
              <strong>{org.pending.pending}</strong> waiting, the oldest since {formatTime(org.pending.oldestPendingSince!)}.
            </p>
            <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>User</th>
                  <th>Waiting</th>
                  <th>Last error</th>
                </tr>
              </thead>
              <tbody>
                {org.pending.users.map((u) => (
                  <tr key={u.owner}>
                    <td>
                      <a href={`#/users/${encodeURIComponent(u.owner)}`}>{u.owner}</a>
                    </td>
                    <td>{u.pending}</td>
                    <td>{u.lastError ? `${ago(u.lastError.at)}: ${u.lastError.message}` : 'on its way, nothing failed'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          </>
        )}
        {org.pending && (
          <button type="button" class="plain" disabled={busy || org.pending.pending === 0} onClick={retryAll}>
            {busy ? 'Retrying…' : 'Retry all now'}
          </button>
        )}
      </section>
    </main>
  );
}

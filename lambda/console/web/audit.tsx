/** The audit log: who changed what, from where and when, newest first, 50 at a time. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type AuditEntry } from './api';
import { Notice, ago, formatTime, problemText } from './parts';

const CHANNEL: Record<AuditEntry['via'], string> = {
  console: 'console',
  token: 'API token',
  cli: 'command line',
  link: 'set-up link',
};

export function AuditLog() {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);

  const load = useCallback((before?: string) => {
    api.audit(before).then(
      ({ data, info }) => {
        setEntries((shown) => (before ? [...(shown ?? []), ...data] : data));
        setNext(info.next);
        setError(null);
      },
      (err: unknown) => setError(problemText(err)),
    );
  }, []);
  useEffect(() => load(), [load]);

  return (
    <main>
      <div class="row spread">
        <h1>Audit log</h1>
        <button type="button" class="plain" onClick={() => load()}>
          Refresh
        </button>
      </div>
      <p class="muted">Every change to users, their access and passwords, set-up links and admin sign-ins, from the console, the API token and the command line. Kept for a year and a month.</p>
      {error && <Notice kind="error">{error}</Notice>}
      {entries && entries.length === 0 && <p class="muted">Nothing recorded yet.</p>}
      {entries && entries.length > 0 && (
        <div class="scroll">
          <table data-testid="audit">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>Whom</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td title={formatTime(e.at)}>{ago(e.at)}</td>
                  <td>
                    {e.actor}
                    <div class="muted small">{CHANNEL[e.via]}</div>
                  </td>
                  <td>
                    <code>{e.action}</code>
                    {e.detail && <div class="muted small">{e.detail}</div>}
                  </td>
                  <td>{e.target ?? '–'}</td>
                  <td>
                    {e.from ?? '–'}
                    {e.userAgent && <div class="muted small ua">{e.userAgent}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" class="plain" onClick={() => load(next)}>
          Older
        </button>
      )}
    </main>
  );
}

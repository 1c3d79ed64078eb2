/**
 * The CRM connection: which CRM the deployment syncs with and, for Zoho, whether it is connected
 * and how it is doing (who connected it and when, the data centre, API credits today against the
 * daily budget, reconciliation, the notification channel, changes waiting for Zoho). Not
 * connected: the form that starts Zoho's consent (the browser goes to Zoho and comes back through
 * our callback). Connected from here: Disconnect, after asking. Configured by the deployment: the
 * same facts, read-only, saying where to change them.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiProblem, api, type CrmConnection, type SyncStatus, type ZohoConnection } from './api';
import { Confirm, Notice, ago, formatTime, problemText, useAction } from './parts';

/** Zoho's data centres by the ids the server uses (crm/zoho/config.ts), named for people. */
const REGION: Record<string, string> = {
  us: 'United States',
  eu: 'Europe',
  in: 'India',
  au: 'Australia',
  jp: 'Japan',
  ca: 'Canada',
  cn: 'China',
  sa: 'Saudi Arabia',
};
const regionOf = (id: string) => REGION[id] ?? id.toUpperCase();
const hostOf = (url: string) => url.replace(/^https?:\/\//, '');

export function Connection() {
  const [conn, setConn] = useState<CrmConnection | null>(null);
  const [pending, setPending] = useState<SyncStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useCallback(() => {
    setLoadError(null);
    api.connection().then(setConn, (err: unknown) => setLoadError(problemText(err)));
    api.status().then(setPending, () => setPending(null));
  }, []);
  useEffect(load, [load]);

  if (!conn)
    return (
      <main aria-busy={!loadError}>
        <h1>CRM connection</h1>
        {loadError ? <Notice kind="error">{loadError}</Notice> : <p class="muted">Loading…</p>}
      </main>
    );
  return (
    <main>
      <h1>CRM connection</h1>
      {notice && <Notice kind="ok">{notice}</Notice>}
      {/* A reload after a change that failed: the facts below are the last ones read. */}
      {loadError && <Notice kind="error">{loadError}</Notice>}
      {conn.connector === 'zoho' ? (
        <Zoho
          conn={conn}
          pending={pending}
          onChanged={(text) => {
            setNotice(text);
            load();
          }}
        />
      ) : (
        <section class="card">
          <h2>CRM in use</h2>
          <p data-testid="crm">{otherCrm(conn.connector)}</p>
        </section>
      )}
    </main>
  );
}

function otherCrm(name: string): string {
  switch (name) {
    case 'builtin':
      return 'The built-in CRM: its events live in this deployment\'s own tables, behind the CRM REST API (/crm/v1/events). There is nothing to connect.';
    case 'none':
      return 'None: this deployment syncs with no CRM (CRM_CONNECTOR=none); the calendars are CalDAV only.';
    default:
      return `A hosted CRM (${name}), set up by the deployment's configuration: nothing to connect here.`;
  }
}

const SOURCE: Record<NonNullable<ZohoConnection['source']>, string> = {
  console: 'this console',
  environment: 'the environment (ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN)',
  secret: 'a Secrets Manager secret (ZOHO_SECRET_ARN)',
};

function Zoho({ conn, pending, onChanged }: { conn: ZohoConnection; pending: SyncStatus | null; onChanged: (text: string) => void }) {
  const byConfiguration = conn.source === 'environment' || conn.source === 'secret';
  return (
    <>
      <section class="card">
        <div class="row spread">
          <h2>Zoho CRM</h2>
          <span class={`badge ${conn.connected && !conn.refused ? 'on' : 'off'}`} data-testid="zoho-state">
            {conn.refused ? 'Refused by Zoho' : conn.connected ? 'Connected' : 'Not connected'}
          </span>
        </div>
        {conn.refused && (
          <Notice kind="error">
            <span data-testid="zoho-refused">
              Zoho refused this connection's credentials (<code>{conn.refused.error}</code>){' '}
              <span title={formatTime(conn.refused.at)}>{ago(conn.refused.at)}</span>: nothing reaches Zoho, and phone changes wait
              below, until{' '}
              {byConfiguration
                ? `a new refresh token is set where the connection is configured: ${SOURCE[conn.source!]}.`
                : 'it is connected again: Disconnect, then Connect.'}
            </span>
          </Notice>
        )}
        {byConfiguration && (
          <Notice kind="info">
            Configured by {SOURCE[conn.source!]}: this page only shows it. To change or remove the connection, change the deployment's configuration.
          </Notice>
        )}
        {(conn.connected || byConfiguration) && <Facts conn={conn} />}
        {conn.connected && conn.source === 'console' && <Disconnect onDone={onChanged} />}
      </section>
      {!conn.connected && !byConfiguration && (
        <section class="card">
          <h2>Connect to Zoho</h2>
          <ConnectForm conn={conn} />
        </section>
      )}
      <section class="card">
        <h2>Changes waiting for Zoho</h2>
        <Waiting pending={pending} onRetried={onChanged} />
      </section>
    </>
  );
}

function Facts({ conn }: { conn: ZohoConnection }) {
  const { today, perDay } = conn.credits;
  return (
    <dl data-testid="zoho-facts">
      <dt>Data centre</dt>
      <dd>{conn.accountsUrl ? (conn.dataCentre ? `${regionOf(conn.dataCentre)} (${hostOf(conn.accountsUrl)})` : hostOf(conn.accountsUrl)) : 'unknown'}</dd>
      <dt>Configured by</dt>
      <dd>{conn.source ? SOURCE[conn.source] : 'nobody yet'}</dd>
      {conn.connectedBy && (
        <>
          <dt>Connected by</dt>
          <dd data-testid="connected-by">
            {conn.connectedBy}
            {conn.connectedAt && <span title={formatTime(conn.connectedAt)}>, {ago(conn.connectedAt)}</span>}
          </dd>
        </>
      )}
      <dt>API credits today</dt>
      <dd data-testid="credits">
        {today.toLocaleString()} of {perDay.toLocaleString()}
        <progress class="meter" aria-label="API credits used today" max={perDay} value={Math.min(today, perDay)} />
      </dd>
      <dt>Last reconcile</dt>
      <dd>{conn.lastReconcileAt ? <span title={formatTime(conn.lastReconcileAt)}>{ago(conn.lastReconcileAt)}</span> : 'not run yet'}</dd>
      <dt>Zoho's notifications</dt>
      <dd>
        {conn.channel
          ? `subscribed until ${formatTime(conn.channel.expiresAt)}`
          : conn.notifyUrl
            ? 'not subscribed yet: the next scheduled pass subscribes'
            : 'off (ZOHO_NOTIFY_URL unset): Zoho\'s changes arrive by reconciliation only'}
      </dd>
    </dl>
  );
}

/** The form's fields by the names the API's errors give them. */
const FIELD: Record<string, string> = { clientId: 'Client ID', clientSecret: 'Client secret', dataCentre: 'Data centre' };

/** The API's refusal of a field, said with the field's label ("Client ID: longer than 200 characters"). */
function labelled(err: unknown): unknown {
  if (!(err instanceof ApiProblem) || !err.field || !FIELD[err.field]) return err;
  const text = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
  return new ApiProblem(err.status, `${FIELD[err.field]}: ${text}`, err.field);
}

/** The data centre select's value for "the accounts server the deployment is configured with". */
const CONFIGURED = '';

function ConnectForm({ conn }: { conn: ZohoConnection }) {
  const { dataCentres, defaultAccountsUrl, callbackPath } = conn.connect;
  const configured = dataCentres.find((d) => d.accountsUrl === defaultAccountsUrl);
  const [dataCentre, setDataCentre] = useState(configured?.id ?? CONFIGURED);
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const { busy, error, run } = useAction();
  const redirectUri = `${location.origin}${callbackPath}`;
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const { authorizeUrl } = await api
        .connect({ clientId: clientId.trim(), clientSecret: clientSecret.trim(), ...(dataCentre === CONFIGURED ? {} : { dataCentre }) })
        .catch((err: unknown) => Promise.reject(labelled(err)));
      // Zoho's consent page, then our callback; the secret stays on the server meanwhile.
      location.assign(authorizeUrl);
    });
  };
  return (
    <form onSubmit={submit} data-testid="connect-form">
      <p class="muted">
        Make a server-based API client in Zoho's API console (api-console.zoho.com) with this redirect URI, then give its id and secret here. Connect sends
        you to Zoho, where a Zoho CRM administrator gives consent; Zoho then sends you back here.
      </p>
      <p>
        Redirect URI: <code class="long" data-testid="redirect-uri">{redirectUri}</code>
      </p>
      <label>
        Data centre
        <select name="dataCentre" value={dataCentre} onChange={(e) => setDataCentre(e.currentTarget.value)}>
          {!configured && <option value={CONFIGURED}>Configured: {hostOf(defaultAccountsUrl)} (ZOHO_ACCOUNTS_URL)</option>}
          {dataCentres.map((d) => (
            <option key={d.id} value={d.id}>
              {regionOf(d.id)} ({hostOf(d.accountsUrl)})
            </option>
          ))}
        </select>
      </label>
      <label>
        Client ID
        <input name="clientId" required autocomplete="off" spellcheck={false} value={clientId} onInput={(e) => setClientId(e.currentTarget.value)} />
      </label>
      <label>
        Client secret
        <input name="clientSecret" type="password" required autocomplete="off" value={clientSecret} onInput={(e) => setClientSecret(e.currentTarget.value)} />
      </label>
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" disabled={busy}>
        {busy ? 'Connecting…' : 'Connect'}
      </button>
    </form>
  );
}

function Disconnect({ onDone }: { onDone: (text: string) => void }) {
  const { error, run } = useAction();
  return (
    <div class="row actions">
      <Confirm
        label="Disconnect"
        question="Disconnect from Zoho? The refresh token is forgotten here and Zoho is asked to revoke it. Until it is connected again, changes from the phones wait here and Zoho's changes do not reach the phones."
        confirm="Disconnect from Zoho"
        danger
        onConfirm={() =>
          run(async () => {
            await api.disconnect();
            onDone('Disconnected from Zoho: the refresh token is forgotten here and Zoho was asked to revoke it.');
          })
        }
      />
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}

function Waiting({ pending, onRetried }: { pending: SyncStatus | null; onRetried: (text: string) => void }) {
  const { busy, error, run } = useAction();
  if (!pending) return <p class="muted">Not available.</p>;
  const failed = pending.users.flatMap((u) => (u.lastError ? [{ owner: u.owner, ...u.lastError }] : []));
  const last = failed.reduce<(typeof failed)[number] | null>((a, b) => (a === null || b.at > a.at ? b : a), null);
  return (
    <div data-testid="waiting">
      {pending.pending === 0 ? (
        <p>Nothing waiting: every change from the phones has reached Zoho.</p>
      ) : (
        <p>
          <strong>{pending.pending}</strong> waiting, the oldest since {formatTime(pending.oldestPendingSince!)} (per user on the{' '}
          <a href="#/organisation">Organisation</a> page).
        </p>
      )}
      {last && (
        <p class="muted" data-testid="last-error">
          Last error {ago(last.at)}, {last.owner}'s {last.name}: {last.message}
        </p>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {pending.pending > 0 && (
        <button
          type="button"
          class="plain"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const r = await api.retry();
              onRetried(`Retried the waiting changes: ${r.delivered} delivered, ${r.failed} still failing.`);
            })
          }
        >
          {busy ? 'Retrying…' : 'Retry now'}
        </button>
      )}
    </div>
  );
}

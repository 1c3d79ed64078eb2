import { useState } from 'preact/hooks';
import { api, type Session } from './api';
import { Notice, useAction } from './parts';

/** `ended`: why the last session ended (expired, ended elsewhere), shown above the form. */
export function SignIn({ onSignedIn, ended }: { onSignedIn: (s: Session) => void; ended?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => onSignedIn(await api.signIn(email, password)));
  };

  return (
    <main class="sign-in">
      <h1>crm-caldav admin</h1>
      {ended && <Notice kind="info">{ended}</Notice>}
      <form onSubmit={submit}>
        <label>
          E-mail
          <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="muted">
        Admin accounts are made with <code>npx crm-caldav admin add you@example.com</code>.
      </p>
    </main>
  );
}

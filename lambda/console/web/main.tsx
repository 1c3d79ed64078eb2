/**
 * The admin console: who is signed in, and which page the URL fragment names (#/users,
 * #/users/<email>, #/organisation). The server only serves this page; everything else is /crm/v1.
 */
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, setSession, type Session } from './api';
import { Organisation } from './organisation';
import { SignIn } from './sign-in';
import './styles.css';
import { User } from './user';
import { Users } from './users';

type Route = { page: 'users' } | { page: 'user'; email: string } | { page: 'organisation' };

function routeOf(hash: string): Route {
  const user = /^#\/users\/(.+)$/.exec(hash);
  if (user) return { page: 'user', email: decodeURIComponent(user[1]!).toLowerCase() };
  if (hash === '#/organisation') return { page: 'organisation' };
  return { page: 'users' };
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const changed = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function App() {
  // undefined: not known yet (asking the server); null: signed out.
  const [session, setCurrent] = useState<Session | null | undefined>(undefined);
  // A message for the page at `hash` (where an action led), dropped once another page is shown.
  const [notice, setNotice] = useState<{ text: string; hash: string } | undefined>();
  const route = useRoute();
  const signedOut = useCallback(() => setCurrent(null), []);
  setSession(session ?? null, signedOut);

  useEffect(() => {
    api.session().then(setCurrent, () => setCurrent(null));
  }, []);
  useEffect(() => setNotice((n) => (n?.hash === location.hash ? n : undefined)), [route]);

  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={setCurrent} />;

  const signOut = () => api.signOut().finally(() => setCurrent(null));
  return (
    <>
      <header>
        <strong>crm-caldav admin</strong>
        <nav>
          <a href="#/users" aria-current={route.page !== 'organisation' ? 'page' : undefined}>
            Users
          </a>
          <a href="#/organisation" aria-current={route.page === 'organisation' ? 'page' : undefined}>
            Organisation
          </a>
        </nav>
        <span class="who">
          {session.email}
          <button type="button" class="plain" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      {route.page === 'users' && <Users notice={notice?.text} />}
      {route.page === 'user' && (
        <User
          key={route.email}
          email={route.email}
          onDeleted={(text) => {
            setNotice({ text, hash: '#/users' });
            location.hash = '#/users';
          }}
        />
      )}
      {route.page === 'organisation' && <Organisation />}
    </>
  );
}

render(<App />, document.getElementById('app')!);

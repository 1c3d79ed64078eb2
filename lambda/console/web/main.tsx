/**
 * The admin console: who is signed in, and which page the URL fragment names (#/users,
 * #/users/<email>, #/organisation, #/connection, #/audit). The server only serves this page; everything else
 * is /crm/v1. Each page names itself in the window's title; a session that ends says why.
 */
import { render } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { api, setSession, type Session } from './api';
import { AuditLog } from './audit';
import { Connection } from './connection';
import { Organisation } from './organisation';
import { SignIn } from './sign-in';
import './styles.css';
import { User } from './user';
import { Users } from './users';

type Route = { page: 'users' } | { page: 'user'; email: string } | { page: 'organisation' } | { page: 'connection' } | { page: 'audit' };

function routeOf(hash: string): Route {
  const user = /^#\/users\/(.+)$/.exec(hash);
  if (user) return { page: 'user', email: decodeURIComponent(user[1]!).toLowerCase() };
  if (hash === '#/organisation') return { page: 'organisation' };
  if (hash === '#/connection') return { page: 'connection' };
  if (hash === '#/audit') return { page: 'audit' };
  return { page: 'users' };
}

const PRODUCT = 'crm-caldav admin';

/** The window's (and the tab's, and the history's) name for each page. */
function titleOf(route: Route | 'sign-in'): string {
  if (route === 'sign-in') return `Sign in · ${PRODUCT}`;
  switch (route.page) {
    case 'users':
      return `Users · ${PRODUCT}`;
    case 'user':
      return `${route.email} · Users · ${PRODUCT}`;
    case 'organisation':
      return `Organisation · ${PRODUCT}`;
    case 'connection':
      return `CRM connection · ${PRODUCT}`;
    case 'audit':
      return `Audit log · ${PRODUCT}`;
  }
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
  // Why the last session ended, for the sign-in page; none on a first visit or after signing out.
  const [ended, setEnded] = useState<string | undefined>();
  const route = useRoute();
  const signedOut = useCallback((why: string) => {
    setEnded(why);
    setCurrent(null);
  }, []);
  setSession(session ?? null, signedOut);
  // Before paint, so the title never lags behind the page it names.
  useLayoutEffect(() => {
    if (session !== undefined) document.title = titleOf(session ? route : 'sign-in');
  }, [session, route]);

  useEffect(() => {
    api.session().then(setCurrent, () => setCurrent(null));
  }, []);
  useEffect(() => setNotice((n) => (n?.hash === location.hash ? n : undefined)), [route]);

  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null)
    return (
      <SignIn
        ended={ended}
        onSignedIn={(s) => {
          setEnded(undefined);
          setCurrent(s);
        }}
      />
    );

  const signOut = () => api.signOut().finally(() => setCurrent(null));
  return (
    <>
      <header>
        <strong>crm-caldav admin</strong>
        <nav>
          <a href="#/users" aria-current={route.page === 'users' || route.page === 'user' ? 'page' : undefined}>
            Users
          </a>
          <a href="#/organisation" aria-current={route.page === 'organisation' ? 'page' : undefined}>
            Organisation
          </a>
          <a href="#/connection" aria-current={route.page === 'connection' ? 'page' : undefined}>
            CRM connection
          </a>
          <a href="#/audit" aria-current={route.page === 'audit' ? 'page' : undefined}>
            Audit log
          </a>
        </nav>
        <span class="who">
          <span class="email">{session.email}</span>
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
      {route.page === 'connection' && <Connection />}
      {route.page === 'audit' && <AuditLog />}
    </>
  );
}

render(<App />, document.getElementById('app')!);

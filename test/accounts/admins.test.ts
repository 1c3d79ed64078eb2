import { describe, expect, it } from 'vitest';
import {
  MemoryAdminStore,
  SESSION_SECONDS,
  checkSession,
  csrfMatches,
  issueAdminPassword,
  sessionCookieIn,
  sessionSetCookie,
  signIn,
  signOut,
} from '../../lambda/accounts/admins';

const T0 = new Date('2026-12-01T09:00:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function withAdmin() {
  const store = new MemoryAdminStore();
  const { password, account } = await issueAdminPassword(store, 'Boss@Zillum.com', T0, 'Boss');
  return { store, password, account };
}

describe('admin accounts and console sessions', () => {
  it('issues a generated password stored only as a salted hash', async () => {
    const { store, password, account } = await withAdmin();
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(account).toMatchObject({ email: 'boss@zillum.com', name: 'Boss', createdAt: T0.toISOString() });
    expect(JSON.stringify(await store.listAccounts())).not.toContain(password);
  });

  it('signs in with the right password only, and the same answer for an unknown account', async () => {
    const { store, password } = await withAdmin();
    expect(await signIn(store, 'boss@zillum.com', 'wrong-password', T0)).toBeNull();
    expect(await signIn(store, 'nobody@zillum.com', password, T0)).toBeNull();
    const session = await signIn(store, ' BOSS@zillum.com ', password, T0);
    expect(session).toMatchObject({ email: 'boss@zillum.com', expiresAt: T0.getTime() / 1000 + SESSION_SECONDS });
    expect(session!.cookieValue).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('keeps a session until it expires, is signed out, or its account goes', async () => {
    const { store, password } = await withAdmin();
    const a = (await signIn(store, 'boss@zillum.com', password, T0))!;
    const b = (await signIn(store, 'boss@zillum.com', password, T0))!;
    expect(await checkSession(store, a.cookieValue, later(60))).toMatchObject({ email: 'boss@zillum.com', csrf: a.csrf });
    expect(await checkSession(store, a.cookieValue, later(SESSION_SECONDS))).toBeNull();
    await signOut(store, a.cookieValue);
    expect(await checkSession(store, a.cookieValue, later(60))).toBeNull();
    expect(await checkSession(store, b.cookieValue, later(60))).not.toBeNull();
    await store.deleteAccount('boss@zillum.com');
    expect(await checkSession(store, b.cookieValue, later(60))).toBeNull();
  });

  it('refuses forged and malformed cookies', async () => {
    const { store, password } = await withAdmin();
    const real = (await signIn(store, 'boss@zillum.com', password, T0))!;
    const [email] = real.cookieValue.split('.');
    for (const value of ['', 'x', `${email}.`, `${email}.${'A'.repeat(43)}`, `${Buffer.from('other@zillum.com').toString('base64url')}.${real.cookieValue.split('.')[1]}`]) {
      expect(await checkSession(store, value, later(1)), value).toBeNull();
    }
  });

  it('matches the CSRF token exactly', async () => {
    const { store, password } = await withAdmin();
    const signed = (await signIn(store, 'boss@zillum.com', password, T0))!;
    const session = (await checkSession(store, signed.cookieValue, later(1)))!;
    expect(csrfMatches(session, signed.csrf)).toBe(true);
    expect(csrfMatches(session, undefined)).toBe(false);
    expect(csrfMatches(session, `${signed.csrf}x`)).toBe(false);
  });

  it('writes and finds the cookie: HttpOnly, SameSite=Strict, Secure on HTTPS, scoped to /crm', () => {
    expect(sessionSetCookie('v', 60, true)).toBe('crm_admin_session=v; Path=/crm; Max-Age=60; HttpOnly; SameSite=Strict; Secure');
    expect(sessionSetCookie('', 0, false)).toBe('crm_admin_session=; Path=/crm; Max-Age=0; HttpOnly; SameSite=Strict');
    expect(sessionCookieIn('a=1; crm_admin_session=abc.def ; b=2')).toBe('abc.def');
    expect(sessionCookieIn('a=1')).toBeUndefined();
    expect(sessionCookieIn(undefined)).toBeUndefined();
  });
});

/** Paths as logs show them: set-up link tokens and other addressed tokens never written. */
import { describe, expect, it } from 'vitest';
import { addressedToken } from '../../lambda/accounts/tokens';
import { REDACTED, redactPath } from '../../lambda/accounts/redact';

describe('redactPath', () => {
  const token = addressedToken('ana@example.com', 18);

  it('redacts an old-style set-up link token and anything after /crm/v1/onboarding/ but the page routes', () => {
    expect(redactPath(`/crm/v1/onboarding/${token}`)).toBe(`/crm/v1/onboarding/${REDACTED}`);
    expect(redactPath(`/crm/v1/onboarding/${token}/profile`)).toBe(`/crm/v1/onboarding/${REDACTED}/profile`);
    expect(redactPath('/crm/v1/onboarding/anything-at-all')).toBe(`/crm/v1/onboarding/${REDACTED}`);
    for (const route of ['check', 'profile', 'manual']) expect(redactPath(`/crm/v1/onboarding/${route}`)).toBe(`/crm/v1/onboarding/${route}`);
    expect(redactPath('/crm/v1/onboarding')).toBe('/crm/v1/onboarding');
  });

  it('redacts a token-shaped segment anywhere, percent-encoded or not', () => {
    const cookie = addressedToken('boss@example.com', 32);
    expect(redactPath(`/crm/v1/users/${cookie}`)).toBe(`/crm/v1/users/${REDACTED}`);
    expect(redactPath(`/calendars/${encodeURIComponent(cookie)}/`)).toBe(`/calendars/${REDACTED}/`);
  });

  it('leaves CalDAV and API paths alone', () => {
    for (const path of ['/', '/calendars/ana@example.com/crm/7C3F1E2A-9B1D-4E5F-8A6B-0C1D2E3F4A5B.ics', '/principals/ana%40example.com/', '/crm/v1/users/ana@example.com/devices', '/.well-known/caldav']) {
      expect(redactPath(path)).toBe(path);
    }
    expect(redactPath(undefined)).toBeUndefined();
  });
});

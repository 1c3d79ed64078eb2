import plist from 'plist';
import { describe, expect, it } from 'vitest';
import { manualSettings, mobileconfig, plistXml } from '../../lambda/onboarding/profile';

const settings = {
  server: { host: 'caldav.zillum.com', port: 443, tls: true },
  email: 'patriciab@zillum.com',
  password: 'abcd-efgh-jkmn-pqrs',
  description: 'CRM calendar & more <3',
};

type Dict = Record<string, unknown>;

describe('the configuration profile', () => {
  it('is a property list with one CalDAV account payload, as Apple documents it', () => {
    let n = 0;
    const parsed = plist.parse(mobileconfig(settings, () => `uuid-${++n}`)) as Dict;
    expect(parsed).toMatchObject({ PayloadType: 'Configuration', PayloadVersion: 1, PayloadRemovalDisallowed: false, PayloadUUID: 'UUID-2' });
    expect(parsed.PayloadIdentifier).toBe('com.crm-caldav.com.zillum.caldav.patriciab-zillum-com');
    const content = parsed.PayloadContent as Dict[];
    expect(content).toHaveLength(1);
    expect(content[0]).toEqual({
      CalDAVAccountDescription: 'CRM calendar & more <3',
      CalDAVHostName: 'caldav.zillum.com',
      CalDAVPort: 443,
      CalDAVUseSSL: true,
      CalDAVPrincipalURL: 'https://caldav.zillum.com/principals/patriciab@zillum.com/',
      CalDAVUsername: 'patriciab@zillum.com',
      CalDAVPassword: 'abcd-efgh-jkmn-pqrs',
      PayloadDescription: 'Adds your CRM calendar to Calendar.',
      PayloadDisplayName: 'CalDAV (CRM calendar & more <3)',
      PayloadIdentifier: 'com.crm-caldav.com.zillum.caldav.patriciab-zillum-com.caldav',
      PayloadType: 'com.apple.caldav.account',
      PayloadUUID: 'UUID-1',
      PayloadVersion: 1,
    });
  });

  it('writes the DOCTYPE and the value types plist readers expect', () => {
    const xml = plistXml({ a: 'x', n: 8080, t: true, f: false, list: [{ k: 'v' }] });
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<!DOCTYPE plist PUBLIC "-\/\/Apple\/\/DTD PLIST 1.0\/\/EN"/);
    expect(xml).toContain('<integer>8080</integer>');
    expect(plist.parse(xml)).toEqual({ a: 'x', n: 8080, t: true, f: false, list: [{ k: 'v' }] });
  });

  it('points at a local server without TLS by its port', () => {
    const local = { ...settings, server: { host: '192.168.1.20', port: 8080, tls: false } };
    const account = (plist.parse(mobileconfig(local)) as { PayloadContent: Dict[] }).PayloadContent[0]!;
    expect(account).toMatchObject({ CalDAVHostName: '192.168.1.20', CalDAVPort: 8080, CalDAVUseSSL: false, CalDAVPrincipalURL: 'http://192.168.1.20:8080/principals/patriciab@zillum.com/' });
  });
});

describe('the settings to type in', () => {
  it('names the Settings path and every field, with the advanced ones when not on HTTPS 443', () => {
    const text = manualSettings(settings);
    expect(text).toContain('Settings > Apps > Calendar > Calendar Accounts > Add Account > Other > Add CalDAV Account');
    expect(text).toMatch(/Server: +caldav\.zillum\.com\n/);
    expect(text).toMatch(/User Name: +patriciab@zillum\.com\n/);
    expect(text).toMatch(/Password: +abcd-efgh-jkmn-pqrs\n/);
    expect(text).not.toContain('Use SSL');
    const local = manualSettings({ ...settings, server: { host: 'localhost', port: 8080, tls: false } });
    expect(local).toMatch(/Server: +localhost:8080\n/);
    expect(local).toMatch(/Use SSL: +off\n/);
    expect(local).toMatch(/Port: +8080\n/);
  });
});

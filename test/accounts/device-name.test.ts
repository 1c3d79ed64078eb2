/** Devices named as an admin would: client and OS version, from what real CalDAV clients send. */
import { describe, expect, it } from 'vitest';
import { describeDevice } from '../../lambda/accounts/device-name';

describe('describeDevice', () => {
  it.each([
    ['iOS/18.2 (22C152) dataaccessd/1.0', 'iPhone or iPad', 'iOS 18.2'],
    ['iOS/17.5.1 (21F90) accountsd/1.0', 'iPhone or iPad', 'iOS 17.5.1'],
    ['iPadOS/18.1 (22B83) dataaccessd/1.0', 'iPhone or iPad', 'iPadOS 18.1'],
    ['macOS/14.2.1 (23C71) CalendarAgent/988', 'Mac', 'macOS 14.2.1'],
    ['Mac OS X/10.15.7 (19H2) CalendarAgent/954', 'Mac', 'macOS 10.15.7'],
    ['watchOS/11.2 (22S100) dataaccessd/1.0', 'Apple Watch', 'watchOS 11.2'],
    ['DAVx5/4.3.9-ose (2023/12/11; dav4jvm; okhttp/4.12.0) Android/14', 'DAVx⁵ 4.3.9', 'Android 14'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0', 'Thunderbird 128.5.0', 'Windows'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.18.0', 'Thunderbird 115.18.0', 'Linux'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Thunderbird/128.0', 'Thunderbird 128.0', 'macOS 10.15'],
    ['Evolution/3.50.4', 'Evolution 3.50.4', 'Linux'],
    ['vdirsyncer/0.19.3', 'vdirsyncer 0.19.3', null],
    ['CalDavSynchronizer/4.4.0', 'Outlook CalDav Synchronizer 4.4.0', 'Windows'],
    ['node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', 'node-fetch 1.0', null],
    ['(no user agent)', '(no user agent)', null],
  ])('%s', (ua, client, os) => {
    expect(describeDevice(ua)).toEqual({ client, os });
  });

  it('shortens an agent it cannot read instead of hiding it', () => {
    const odd = 'Mozilla/5.0 (compatible; SomethingUnheardOf; with a very long description that goes on and on)';
    expect(describeDevice(odd).client).toHaveLength(58);
    expect(describeDevice(odd).client.endsWith('…')).toBe(true);
  });
});

/**
 * What a phone needs to add the account: an Apple configuration profile (`.mobileconfig`, a
 * property list with one `com.apple.caldav.account` payload, Apple's "CalDAV" device-management
 * payload) and the same values as plain text for typing them into Settings. Pure.
 */
import { randomUUID } from 'node:crypto';
import { hrefs } from '../core/paths';

/** Where the server is, as the phone reached it (the request that opened the link). */
export interface ServerAddress {
  host: string;
  port: number;
  tls: boolean;
}

export interface AccountSettings {
  server: ServerAddress;
  email: string;
  password: string;
  /** Shown as the account's name in Settings. */
  description: string;
}

export const PROFILE_CONTENT_TYPE = 'application/x-apple-aspen-config';

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function plistValue(value: PlistValue, indent: string): string {
  if (typeof value === 'string') return `${indent}<string>${escape(value)}</string>\n`;
  if (typeof value === 'number') return `${indent}<integer>${Math.trunc(value)}</integer>\n`;
  if (typeof value === 'boolean') return `${indent}<${value}/>\n`;
  if (Array.isArray(value)) return `${indent}<array>\n${value.map((v) => plistValue(v, `${indent}\t`)).join('')}${indent}</array>\n`;
  const entries = Object.entries(value)
    .map(([k, v]) => `${indent}\t<key>${escape(k)}</key>\n${plistValue(v, `${indent}\t`)}`)
    .join('');
  return `${indent}<dict>\n${entries}${indent}</dict>\n`;
}

/** The property list as Apple's tools write it (XML, DOCTYPE, tab-indented). */
export function plistXml(root: { [key: string]: PlistValue }): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
    `<plist version="1.0">\n${plistValue(root, '')}</plist>\n`
  );
}

const origin = ({ host, port, tls }: ServerAddress) => {
  const standard = port === (tls ? 443 : 80);
  return `${tls ? 'https' : 'http'}://${host}${standard ? '' : `:${port}`}`;
};

/** Reverse-DNS identifier unique per server and user, so a second profile replaces the first. */
const identifier = (s: AccountSettings) =>
  `com.crm-caldav.${s.server.host.split('.').reverse().join('.')}.${s.email.replace(/[^A-Za-z0-9-]/g, '-')}`;

export function mobileconfig(s: AccountSettings, uuid: () => string = randomUUID): string {
  const id = identifier(s);
  return plistXml({
    PayloadContent: [
      {
        CalDAVAccountDescription: s.description,
        CalDAVHostName: s.server.host,
        CalDAVPort: s.server.port,
        CalDAVUseSSL: s.server.tls,
        CalDAVPrincipalURL: `${origin(s.server)}${hrefs.principal(s.email)}`,
        CalDAVUsername: s.email,
        CalDAVPassword: s.password,
        PayloadDescription: 'Adds your CRM calendar to Calendar.',
        PayloadDisplayName: `CalDAV (${s.description})`,
        PayloadIdentifier: `${id}.caldav`,
        PayloadType: 'com.apple.caldav.account',
        PayloadUUID: uuid().toUpperCase(),
        PayloadVersion: 1,
      },
    ],
    PayloadDescription: `Your CRM calendar (${s.email}) in the Calendar app, kept in sync with the CRM.`,
    PayloadDisplayName: s.description,
    PayloadIdentifier: id,
    PayloadRemovalDisallowed: false,
    PayloadType: 'Configuration',
    PayloadUUID: uuid().toUpperCase(),
    PayloadVersion: 1,
  });
}

/** The same account for typing in: the Settings path and each field as iOS labels it. */
export function manualSettings(s: AccountSettings): string {
  const standardPort = s.server.port === (s.server.tls ? 443 : 80);
  const lines = [
    `Add your CRM calendar (${s.email}) on an iPhone or iPad`,
    '',
    'iOS 18 and later: Settings > Apps > Calendar > Calendar Accounts > Add Account > Other > Add CalDAV Account',
    'iOS 17 and earlier: Settings > Calendar > Accounts > Add Account > Other > Add CalDAV Account',
    '',
    `Server:       ${s.server.host}${standardPort ? '' : `:${s.server.port}`}`,
    `User Name:    ${s.email}`,
    `Password:     ${s.password}`,
    `Description:  ${s.description}`,
    '',
    'Tap Next. Calendar then shows one calendar named after your e-mail address.',
  ];
  if (!s.server.tls || !standardPort) {
    lines.push(
      '',
      'If the account does not verify: open it again, Advanced Settings, and set',
      `Use SSL:      ${s.server.tls ? 'on' : 'off'}`,
      `Port:         ${s.server.port}`,
      `Account URL:  ${origin(s.server)}${hrefs.principal(s.email)}`,
    );
  }
  lines.push('', 'This password is shown once. If you lose it, ask your CRM admin for a new link.', '');
  return lines.join('\n');
}

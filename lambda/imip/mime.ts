/**
 * The RFC 5322 bytes of an iMIP message (RFC 6047 §2.4): multipart/mixed holding a
 * multipart/alternative (the readable text, and the iCalendar as `text/calendar; method=…`)
 * and the same iCalendar as an `invite.ics` attachment. CRLF line ends; the text parts are
 * base64, so any UTF-8 travels and no line is too long.
 */
import { randomUUID } from 'node:crypto';

export interface Mail {
  fromName: string;
  fromAddress: string;
  /** The SMTP envelope sender (the verified identity). */
  envelopeFrom: string;
  replyTo: string;
  to: string;
  subject: string;
  text: string;
  method: string;
  ics: string;
  date?: Date;
}

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
const header = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`);
const base64 = (text: string) => (Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
const quoted = (name: string) => `"${header(name).replace(/["\\]/g, '\\$&')}"`;

export function rawMessage(mail: Mail): Buffer {
  const outer = `mixed-${randomUUID()}`;
  const inner = `alt-${randomUUID()}`;
  const domain = mail.fromAddress.split('@')[1] ?? 'localhost';
  const lines = [
    `From: ${quoted(mail.fromName)} <${mail.fromAddress}>`,
    `To: ${mail.to}`,
    `Reply-To: ${mail.replyTo}`,
    `Subject: ${header(mail.subject)}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    `Date: ${(mail.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${outer}"`,
    '',
    `--${outer}`,
    `Content-Type: multipart/alternative; boundary="${inner}"`,
    '',
    `--${inner}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64(mail.text),
    `--${inner}`,
    `Content-Type: text/calendar; charset=utf-8; method=${mail.method}`,
    'Content-Transfer-Encoding: base64',
    '',
    base64(mail.ics),
    `--${inner}--`,
    '',
    `--${outer}`,
    `Content-Type: application/ics; name="invite.ics"`,
    'Content-Disposition: attachment; filename="invite.ics"',
    'Content-Transfer-Encoding: base64',
    '',
    base64(mail.ics),
    `--${outer}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/**
 * An iTIP message as e-mail (iMIP, RFC 6047): a readable text part and the iCalendar as
 * `text/calendar; method=…` in one multipart/alternative, plus the same as an attachment for
 * mail programs that only offer attachments. Sent from the deployment's verified sender with
 * the organizer (or replying attendee) as Reply-To, so answers reach a person.
 */
import ICAL from 'ical.js';
import type { Mail } from './mime';
import type { ImipMessage } from '../core/scheduling/ports';

const SUBJECT: Record<ImipMessage['method'], string> = { REQUEST: 'Invitation', CANCEL: 'Cancelled', REPLY: 'Reply' };

interface Summary {
  title: string;
  when: string | null;
  where: string | null;
  partstat: string | null;
}

function summaryOf(ics: string): Summary {
  try {
    const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent');
    const start = event?.getFirstPropertyValue('dtstart');
    const where = event?.getFirstPropertyValue('location');
    const partstat = event?.getFirstProperty('attendee')?.getParameter('partstat');
    return {
      title: String(event?.getFirstPropertyValue('summary') ?? '(no title)'),
      when: start instanceof ICAL.Time ? describeTime(start, event?.getFirstProperty('dtstart')?.getParameter('tzid')) : null,
      where: typeof where === 'string' && where ? where : null,
      partstat: typeof partstat === 'string' ? partstat : null,
    };
  } catch {
    return { title: '(event)', when: null, where: null, partstat: null };
  }
}

function describeTime(time: ICAL.Time, tzid: unknown): string {
  if (time.isDate) return time.toString();
  const zone = typeof tzid === 'string' ? ` (${tzid})` : time.zone?.tzid === 'UTC' ? ' UTC' : '';
  return `${time.toString().replace('T', ' ').replace(/Z$/, '')}${zone}`;
}

export interface Sender {
  /** The verified address mail goes out from (SES identity, relay account). */
  address: string;
  /** Shown before the person's address: "ana@example.com via <name>". */
  name: string;
}

export function imipMail(message: ImipMessage, sender: Sender): Mail {
  const s = summaryOf(message.ics);
  const subject = message.method === 'REPLY' && s.partstat ? `${titleCase(s.partstat)}: ${s.title}` : `${SUBJECT[message.method]}: ${s.title}`;
  const lines = [
    message.method === 'REQUEST'
      ? `${message.from} invites you to "${s.title}".`
      : message.method === 'CANCEL'
        ? `${message.from} cancelled "${s.title}".`
        : `${message.from} answered "${s.title}": ${s.partstat ?? 'see the attached reply'}.`,
    ...(s.when ? [`When: ${s.when}`] : []),
    ...(s.where ? [`Where: ${s.where}`] : []),
    '',
    'Your calendar program shows the attached invitation and lets you answer it.',
  ];
  return {
    fromName: `${message.from} via ${sender.name}`,
    fromAddress: sender.address,
    envelopeFrom: sender.address,
    replyTo: message.from,
    to: message.to,
    subject,
    text: `${lines.join('\r\n')}\r\n`,
    method: message.method,
    ics: message.ics,
  };
}

const titleCase = (partstat: string) => partstat.charAt(0) + partstat.slice(1).toLowerCase().replace('-', ' ');

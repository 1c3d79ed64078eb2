/** The iMIP port scheduling calls (core/scheduling/ports.ts ImipSender), on a mail transport. */
import type { ImipSender } from '../core/scheduling/ports';
import { imipMail, type Sender } from './message';
import type { MailTransport } from './transports';

export function imipSender(transport: MailTransport, sender: Sender): ImipSender {
  return { send: (message) => transport.send(imipMail(message, sender)) };
}

/**
 * How scheduling reaches attendees outside the deployment, from the environment:
 *
 *   SCHEDULE_EMAIL        `off` (default) or `on`: the organisation's one switch for iMIP e-mail
 *   SCHEDULE_EMAIL_FROM   the sender address (an SES-verified identity, or the relay's account)
 *   SCHEDULE_SMTP_URL     an SMTP relay (`smtp://` or `smtps://`), used when set
 *   SCHEDULE_MAIL_DIR     where the local file sink writes .eml files (the local server: <data>/mail)
 *
 * With SCHEDULE_EMAIL=on the transport is the SMTP relay when configured, else Amazon SES on
 * Lambda, else the file sink. A CRM connector that mails its own participants
 * (`sendsInvitations`) makes e-mail the CRM's whatever the switch says: never both.
 */
import type { ExternalDelivery, ImipSender } from '../core/scheduling/ports';
import { imipSender } from './sender';
import { fileSinkTransport, sesTransport, smtpTransport, type MailTransport } from './transports';

type Env = Record<string, string | undefined>;

export const SCHEDULE_EMAIL_ENV = 'SCHEDULE_EMAIL';
export const SCHEDULE_EMAIL_FROM_ENV = 'SCHEDULE_EMAIL_FROM';
export const SCHEDULE_SMTP_URL_ENV = 'SCHEDULE_SMTP_URL';
export const SCHEDULE_MAIL_DIR_ENV = 'SCHEDULE_MAIL_DIR';

export interface ExternalScheduling {
  external: ExternalDelivery;
  imip: ImipSender | null;
  /** Which transport, for logs and the docs' "what is configured". */
  transport: 'smtp' | 'ses' | 'file' | null;
}

export function emailSwitch(env: Env): boolean {
  const value = (env[SCHEDULE_EMAIL_ENV] ?? 'off').trim().toLowerCase() || 'off';
  if (value !== 'on' && value !== 'off') throw new Error(`${SCHEDULE_EMAIL_ENV} must be on or off, got "${env[SCHEDULE_EMAIL_ENV]}"`);
  return value === 'on';
}

/** Throws on a bad configuration, at build time rather than at the first invitation. */
export function externalSchedulingFromEnv(env: Env, opts: { crmSendsInvitations?: boolean } = {}): ExternalScheduling {
  const on = emailSwitch(env);
  if (opts.crmSendsInvitations) return { external: 'crm', imip: null, transport: null };
  if (!on) return { external: 'off', imip: null, transport: null };
  const from = env[SCHEDULE_EMAIL_FROM_ENV]?.trim();
  if (!from || !/^[^@\s]+@[^@\s]+$/.test(from)) throw new Error(`${SCHEDULE_EMAIL_ENV}=on needs ${SCHEDULE_EMAIL_FROM_ENV}, the address invitations are sent from`);
  let transport: MailTransport;
  let kind: ExternalScheduling['transport'];
  if (env[SCHEDULE_SMTP_URL_ENV]) {
    [transport, kind] = [smtpTransport(env[SCHEDULE_SMTP_URL_ENV]), 'smtp'];
  } else if (env.AWS_LAMBDA_FUNCTION_NAME) {
    [transport, kind] = [sesTransport(), 'ses'];
  } else {
    const dir = env[SCHEDULE_MAIL_DIR_ENV];
    if (!dir) throw new Error(`${SCHEDULE_EMAIL_ENV}=on off AWS needs ${SCHEDULE_SMTP_URL_ENV} or ${SCHEDULE_MAIL_DIR_ENV}`);
    [transport, kind] = [fileSinkTransport(dir), 'file'];
  }
  return { external: 'email', imip: imipSender(transport, { address: from, name: 'crm-caldav' }), transport: kind };
}

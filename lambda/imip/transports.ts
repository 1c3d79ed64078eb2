/**
 * Where iMIP mail goes: a small delivery class each, behind one port, so scheduling never knows
 * which. Amazon SES on AWS, an SMTP relay when one is configured, and locally a directory with
 * one .eml file per message (what would have been sent, for a person to look at).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { rawMessage, type Mail } from './mime';

export interface MailTransport {
  /** Rejects when the mail was not accepted for delivery. */
  send(mail: Mail): Promise<void>;
}

/**
 * SES v2 SendEmail with raw content: the IAM action is ses:SendRawEmail on the sender identity.
 * The SES client is loaded at the first mail: its module's start-up was a sixth of a writing
 * function's first request, mail or not (bench/README.md, "Cold start").
 */
export function sesTransport(client?: Pick<SESv2Client, 'send'>): MailTransport {
  let ses: Promise<{ client: Pick<SESv2Client, 'send'>; SendEmailCommand: typeof import('@aws-sdk/client-sesv2').SendEmailCommand }> | undefined;
  return {
    async send(mail) {
      ses ??= import('@aws-sdk/client-sesv2').then((m) => ({ client: client ?? new m.SESv2Client({}), SendEmailCommand: m.SendEmailCommand }));
      const { client: sender, SendEmailCommand } = await ses;
      await sender.send(new SendEmailCommand({ Content: { Raw: { Data: rawMessage(mail) } } }));
    },
  };
}

/**
 * An SMTP relay, e.g. `smtps://user:password@smtp.example.com:465`, through nodemailer. Loaded
 * only when configured (its name is not resolved at bundle time), so the Lambda bundles, which
 * send through SES, stay small; hosts running the server from the package have it installed.
 */
export function smtpTransport(url: string): MailTransport {
  const moduleName = 'nodemailer';
  const transport = import(moduleName).then((m: { default: { createTransport(url: string): { sendMail(m: object): Promise<unknown> } } }) => m.default.createTransport(url));
  transport.catch(() => undefined);
  return {
    async send(mail) {
      await (await transport).sendMail({ envelope: { from: mail.envelopeFrom, to: mail.to }, raw: rawMessage(mail) });
    },
  };
}

/** One `.eml` per message under `dir`, named by time, method and recipient. */
export function fileSinkTransport(dir: string, now: () => Date = () => new Date()): MailTransport {
  let counter = 0;
  return {
    async send(mail) {
      const to = mail.to.replace(/[^A-Za-z0-9@._-]/g, '_');
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${stamp}-${(counter++).toString().padStart(4, '0')}-${mail.method}-${to}.eml`), rawMessage(mail));
    },
  };
}

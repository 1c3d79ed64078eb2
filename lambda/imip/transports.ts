/**
 * Where iMIP mail goes: a small delivery class each, behind one port, so scheduling never knows
 * which. Amazon SES on AWS, an SMTP relay when one is configured, and locally a directory with
 * one .eml file per message (what would have been sent, for a person to look at).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer, { type SendMailOptions } from 'nodemailer';

export interface MailTransport {
  /** Rejects when the mail was not accepted for delivery. */
  send(mail: SendMailOptions): Promise<void>;
}

/** The message as RFC 5322 bytes (CRLF line ends), built once by nodemailer's composer. */
async function rawMessage(mail: SendMailOptions): Promise<Buffer> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await composer.sendMail(mail);
  return info.message as Buffer;
}

/** SES v2 SendEmail with raw content: the IAM action is ses:SendRawEmail on the sender identity. */
export function sesTransport(client: SESv2Client = new SESv2Client({})): MailTransport {
  return {
    async send(mail) {
      const data = await rawMessage(mail);
      await client.send(new SendEmailCommand({ Content: { Raw: { Data: data } } }));
    },
  };
}

/** An SMTP relay, e.g. `smtps://user:password@smtp.example.com:465`. */
export function smtpTransport(url: string): MailTransport {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail(mail);
    },
  };
}

/** One `.eml` per message under `dir`, named by time, method and recipient. */
export function fileSinkTransport(dir: string, now: () => Date = () => new Date()): MailTransport {
  let counter = 0;
  return {
    async send(mail) {
      const data = await rawMessage(mail);
      const method = /method=([A-Z]+)/.exec(data.toString('utf8'))?.[1] ?? 'MAIL';
      const to = String(mail.to).replace(/[^A-Za-z0-9@._-]/g, '_');
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${stamp}-${(counter++).toString().padStart(4, '0')}-${method}-${to}.eml`), data);
    },
  };
}

/**
 * The SES transport sends the raw MIME message with SendEmail. The client is a stand-in here:
 * there is no SES to reach.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { sesTransport } from '../../lambda/imip/transports';
import type { Mail } from '../../lambda/imip/mime';

describe('sesTransport', () => {
  it('sends the raw message through the SES client it was given', async () => {
    const sent: unknown[] = [];
    const client = { send: async (command: unknown) => void sent.push(command) } as unknown as SESv2Client;
    const mail: Mail = {
      fromName: 'Patricia B',
      fromAddress: 'calendar@example.com',
      envelopeFrom: 'calendar@example.com',
      replyTo: 'patriciab@zillum.com',
      to: 'guest@example.org',
      subject: 'Invitation: Review',
      text: 'You are invited.',
      method: 'REQUEST',
      ics: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n',
    };
    await sesTransport(client).send(mail);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(SendEmailCommand);
    const raw = Buffer.from((sent[0] as SendEmailCommand).input.Content!.Raw!.Data!).toString('utf8');
    expect(raw).toContain('Subject: Invitation: Review');
    expect(raw).toMatch(/text\/calendar;[^\n]*method=REQUEST/i);
  });
});

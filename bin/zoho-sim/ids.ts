/** Identifiers shaped like Zoho's: 19-digit record ids, `1000.`-prefixed OAuth tokens. */
import { randomBytes } from 'node:crypto';

/** Record, user, field and channel-resource ids share one counter, as ids in one Zoho org do. */
export class IdSequence {
  private next = 600_001;
  constructor(private readonly orgPrefix = '5725767') {}

  id(): string {
    return `${this.orgPrefix}${String(this.next++).padStart(12, '0')}`;
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Access and refresh tokens look like `1000.<32 hex>.<32 hex>`. */
export const oauthToken = (): string => `1000.${hex(16)}.${hex(16)}`;

/** Client ids look like `1000.` followed by 30 upper-case letters and digits. */
export const clientId = (): string => `1000.${hex(15).toUpperCase()}`;

export const clientSecret = (): string => hex(21);

export const opaque = (bytes = 24): string => hex(bytes);

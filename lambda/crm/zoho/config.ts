/**
 * The Zoho connector's configuration, from the environment (the same names locally and on AWS,
 * where the secrets come from Secrets Manager: ZOHO_SECRET_ARN names a JSON secret with
 * clientId, clientSecret and refreshToken). Credentials may also come from the admin console's
 * "Connect to Zoho", which stores them in the connector's table (zoho/state.ts); the environment
 * wins when both are present.
 */
import { positiveNumber, type Env } from '../../platform/env';

export interface ZohoCredentials {
  /** The accounts server of the org's data centre, e.g. https://accounts.zoho.eu. */
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Where API calls go; default the `api_domain` of the token response. */
  apiDomain?: string;
}

export interface ZohoConfig {
  /** From the environment; null = only what the console stored (or not connected yet). */
  credentials: ZohoCredentials | null;
  /** ZOHO_SECRET_ARN: the credentials are read from this Secrets Manager secret on first use. */
  secretArn?: string;
  /** The accounts server when the environment names none (also the console's default). */
  accountsUrl: string;
  apiDomain?: string;
  /** The public URL of our webhook (`…/crm/zoho/notify`); absent = no watch channel, polling only. */
  notifyUrl?: string;
  /** `$send_notification` on phone-made events: whether Zoho e-mails the participants. */
  sendNotification: boolean;
  /** API credits this deployment may spend per day (rolling), and what it may use at most at once. */
  dailyCredits: number;
  concurrency: number;
  /** Per HTTP call. */
  timeoutMs: number;
}

export const DEFAULT_ACCOUNTS_URL = 'https://accounts.zoho.com';
/** A conservative default: a quarter of the smallest paid edition's base allowance (50,000). */
export const DEFAULT_DAILY_CREDITS = 12_000;
/** The free edition's concurrency cap; raise it for bigger editions (Enterprise: 20). */
export const DEFAULT_CONCURRENCY = 5;
export const DEFAULT_TIMEOUT_MS = 10_000;

const flag = (value: string | undefined, name: string): boolean => {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'off' || v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'on' || v === 'true' || v === '1' || v === 'yes') return true;
  throw new Error(`${name} must be on or off, got "${value}"`);
};

const url = (value: string | undefined, name: string): string | undefined => {
  const v = value?.trim();
  if (!v) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new Error(`${name} must be a URL, got "${v}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`${name} must be an http(s) URL, got "${v}"`);
  return v.replace(/\/+$/, '');
};

/** Throws naming the variable for anything malformed, before any request. */
export function zohoConfigFromEnv(env: Env): ZohoConfig {
  const accountsUrl = url(env.ZOHO_ACCOUNTS_URL, 'ZOHO_ACCOUNTS_URL') ?? DEFAULT_ACCOUNTS_URL;
  const apiDomain = url(env.ZOHO_API_DOMAIN, 'ZOHO_API_DOMAIN');
  const [clientId, clientSecret, refreshToken] = ['ZOHO_CLIENT_ID', 'ZOHO_CLIENT_SECRET', 'ZOHO_REFRESH_TOKEN'].map((n) => env[n]?.trim() || undefined);
  const given = [clientId, clientSecret, refreshToken].filter(Boolean).length;
  if (given > 0 && given < 3) throw new Error('ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN go together: set all three, or none and connect in the admin console');
  return {
    credentials: given === 3 ? { accountsUrl, clientId: clientId!, clientSecret: clientSecret!, refreshToken: refreshToken!, apiDomain } : null,
    secretArn: env.ZOHO_SECRET_ARN?.trim() || undefined,
    accountsUrl,
    apiDomain,
    notifyUrl: url(env.ZOHO_NOTIFY_URL, 'ZOHO_NOTIFY_URL'),
    sendNotification: flag(env.ZOHO_SEND_NOTIFICATION, 'ZOHO_SEND_NOTIFICATION'),
    dailyCredits: Math.floor(positiveNumber(env.ZOHO_DAILY_CREDITS, 'ZOHO_DAILY_CREDITS') ?? DEFAULT_DAILY_CREDITS),
    concurrency: Math.floor(positiveNumber(env.ZOHO_CONCURRENCY, 'ZOHO_CONCURRENCY') ?? DEFAULT_CONCURRENCY),
    timeoutMs: Math.floor(positiveNumber(env.ZOHO_TIMEOUT_MS, 'ZOHO_TIMEOUT_MS') ?? DEFAULT_TIMEOUT_MS),
  };
}

/** Zoho's data centres: the accounts server of each (the console offers them). */
export const DATA_CENTRES: Record<string, string> = {
  us: 'https://accounts.zoho.com',
  eu: 'https://accounts.zoho.eu',
  in: 'https://accounts.zoho.in',
  au: 'https://accounts.zoho.com.au',
  jp: 'https://accounts.zoho.jp',
  ca: 'https://accounts.zohocloud.ca',
  cn: 'https://accounts.zoho.com.cn',
  sa: 'https://accounts.zoho.sa',
};

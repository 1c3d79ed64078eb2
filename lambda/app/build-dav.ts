/**
 * The CalDAV handlers' App on DynamoDB: the parts buildApp starts from (dynamo-parts.ts), wired
 * by composeDavApp, without the CRM API, the console or the jobs (their code is not even in a
 * CalDAV function's bundle).
 */
import { composeDavApp, type DavApp } from './dav-app';
import { dynamoParts, type DynamoAppOptions } from './dynamo-parts';

export function buildDavApp(opts: DynamoAppOptions = {}): DavApp {
  return composeDavApp(dynamoParts(opts, opts.env ?? process.env)).dav;
}

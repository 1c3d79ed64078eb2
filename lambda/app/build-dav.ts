/**
 * The CalDAV handlers' App on DynamoDB: the parts buildApp starts from (dynamo-parts.ts), wired
 * by composeDavApp, without the CRM API, the console or the jobs (their code is not even in a
 * CalDAV function's bundle), on a wire of its own from the environment Lambda sets: no SDK
 * client for DynamoDB is built or loaded (bench/README.md, "Cold start").
 */
import { wireFor, type DynamoDoc } from '../platform/dynamodb/wire';
import { wireFromEnv } from '../store/dynamodb/environment';
import { composeDavApp, type DavApp } from './dav-app';
import { dynamoParts, type DynamoAppOptions } from './dynamo-parts';

export function buildDavApp(opts: DynamoAppOptions & { doc?: DynamoDoc } = {}): DavApp {
  const env = opts.env ?? process.env;
  const doc = opts.doc ?? wireFromEnv(env);
  const close = () => {
    if (!opts.doc) wireFor(doc).destroy();
  };
  return composeDavApp(dynamoParts(opts, env, { doc, close })).dav;
}

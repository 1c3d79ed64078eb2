/**
 * node:http in front of the Lambda handlers: each request becomes the API Gateway v2 event API
 * Gateway would build, goes to the handler the router picks, and its result is written back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from '../../lambda/handlers/routing';
import type { Logger } from '../../lambda/platform/log';
import { buildApiGatewayEvent, resultToHttp } from '../../lambda/http/api-gateway-event';
import { withinLambdaLimit } from '../../lambda/http/front-door';
import { lambdaContext } from './lambda-context';

/**
 * Lambda's limit on an invocation's payload (6 MB; API Gateway's own 10 MB is never reached):
 * bigger requests never reach the handler on AWS either.
 */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

/** Past this, an oversized body is no longer drained for the 413's sake: the connection goes. */
const MAX_DRAIN_BYTES = 8 * MAX_BODY_BYTES;

class PayloadTooLarge extends Error {}

/**
 * The body, or PayloadTooLarge once it passes the limit. The rest is read and dropped, so the
 * client (still sending) gets to read the 413 instead of a reset connection.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) req.destroy();
      else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? fail(new PayloadTooLarge()) : done(Buffer.concat(chunks))));
    req.on('error', fail);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: Buffer, isHead: boolean) {
  // A HEAD answer may announce the GET size; everything else says what is actually sent.
  const announced = headers['content-length'];
  const length = isHead && typeof announced === 'string' ? announced : String(body.length);
  res.writeHead(status, { ...headers, 'content-length': length });
  res.end(isHead ? undefined : body);
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function httpBridge(route: Router, scheme: 'http' | 'https', log: Logger): RequestListener {
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const isHead = req.method === 'HEAD';
    try {
      const body = await readBody(req);
      const headers: Record<string, string[]> = { ...req.headersDistinct } as Record<string, string[]>;
      // What API Gateway adds in front of the integration.
      headers['x-forwarded-for'] = [req.socket.remoteAddress ?? '127.0.0.1'];
      headers['x-forwarded-proto'] = [scheme];
      headers['x-forwarded-port'] = [String(req.socket.localPort ?? '')];
      const event = buildApiGatewayEvent({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        protocol: `HTTP/${req.httpVersion}`,
      });
      const handler = route(event.requestContext.http.method, event.rawPath);
      // What the handler module's acceptAlb does on AWS: a response Lambda could not return is a 507.
      const result = resultToHttp(withinLambdaLimit(await handler(event, lambdaContext(event.requestContext.requestId))));
      send(res, result.status, result.headers, result.body, isHead);
    } catch (err) {
      if (err instanceof PayloadTooLarge) {
        send(res, 413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }, Buffer.from('Payload Too Large\n'), isHead);
        return;
      }
      log('error', 'Local server failure', { error: err instanceof Error ? err.stack : String(err) });
      if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, Buffer.from('Internal Server Error\n'), isHead);
      else res.destroy();
    }
  }
  return (req, res) => void serve(req, res);
}

/** Ready-made responses shared by the methods. */
import { DavError } from './errors';
import { D } from './namespaces';
import { el, serializeXml, type XmlElement } from './xml';
import type { DavResponse } from './types';

export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

export function xmlResponse(status: number, root: XmlElement, headers: Record<string, string> = {}): DavResponse {
  return {
    status,
    headers: { 'content-type': XML_CONTENT_TYPE, ...headers },
    body: serializeXml(root),
  };
}

export const multistatus = (responses: XmlElement[], extra: XmlElement[] = []): DavResponse =>
  xmlResponse(207, el(D('multistatus'), ...responses, ...extra));

export const statusLine = (code: number) => `HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? ''}`.trimEnd();

/**
 * The response for a DavError: a DAV:error body naming the condition when there is one
 * (RFC 4918 §16), plain text otherwise. Never includes a stack trace.
 */
export function errorResponse(err: DavError): DavResponse {
  if (err.condition) {
    const condition = el(err.condition, ...err.conditionContent);
    const body = el(D('error'), condition, el(D('responsedescription'), err.message));
    return xmlResponse(err.status, body, err.headers);
  }
  return {
    status: err.status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...err.headers },
    body: `${err.message}\n`,
  };
}

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  207: 'Multi-Status',
  301: 'Moved Permanently',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  424: 'Failed Dependency',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  507: 'Insufficient Storage',
};

import type { Clark } from './namespaces';
import type { XmlElement } from './xml';

/** A precondition/postcondition element for the DAV:error body (RFC 4918 §16), Clark-named. */
export type ConditionName = Clark;

/**
 * A protocol error that becomes a status code plus, when given, a DAV:error body naming the
 * failed precondition. Thrown anywhere in core; turned into a response in one place.
 */
export class DavError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly condition?: ConditionName,
    readonly headers: Record<string, string> = {},
    /** Children of the condition element, e.g. the DAV:href inside CALDAV:no-uid-conflict. */
    readonly conditionContent: XmlElement[] = [],
  ) {
    super(message);
    this.name = 'DavError';
  }
}


export const badRequest = (message: string) => new DavError(400, message);
export const forbidden = (message: string, condition?: ConditionName) =>
  new DavError(403, message, condition);
export const notFound = (message = 'Not found') => new DavError(404, message);
export const preconditionFailed = (message: string) => new DavError(412, message);

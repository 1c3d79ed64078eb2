/**
 * JSON errors: `{ "error": { "code", "message", "field"? } }`. CRM errors map to their status
 * here, in one place; anything unexpected is a bare 500 whose details only go to the log.
 */
import { CrmConflict, CrmNotFound, CrmUnavailable, CrmValidationError } from '../crm/types';
import type { ApiResponse } from './types';

export type ErrorCode =
  | 'INVALID_DATA'
  | 'INVALID_JSON'
  | 'AUTHENTICATION_FAILURE'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'GONE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'UNAVAILABLE'
  | 'INTERNAL_ERROR';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalid = (field: string, message: string) => new ApiError(400, 'INVALID_DATA', message, field);
export const notFound = (message = 'Not found') => new ApiError(404, 'NOT_FOUND', message);
export const forbidden = (message = 'Not allowed for this user') => new ApiError(403, 'FORBIDDEN', message);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: status === 204 ? '' : JSON.stringify(body),
  };
}

/** Null for errors that are not the client's or the CRM's (the caller logs them and answers 500). */
export function apiErrorOf(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof CrmValidationError) return new ApiError(400, 'INVALID_DATA', err.message, err.field);
  if (err instanceof CrmConflict) return new ApiError(409, 'CONFLICT', err.message);
  if (err instanceof CrmNotFound) return notFound(err.message);
  if (err instanceof CrmUnavailable) return new ApiError(503, 'UNAVAILABLE', 'The CRM is temporarily unavailable; try again', undefined, { 'retry-after': '1' });
  return null;
}

export function errorResponse(err: ApiError): ApiResponse {
  const error = { code: err.code, message: err.message, ...(err.field !== undefined ? { field: err.field } : {}) };
  return json(err.status, { error }, err.headers);
}

export const INTERNAL_ERROR = (): ApiResponse => json(500, { error: { code: 'INTERNAL_ERROR', message: 'Internal error' } });

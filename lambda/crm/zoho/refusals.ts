/**
 * Zoho's answers as the port's errors, for every module the connector writes (Events in
 * connector.ts, Tasks in tasks.ts): what Zoho refuses for the data is CrmValidationError naming the
 * field, a lost optimistic write CrmConflict, anything else CrmUnavailable.
 */
import { CrmConflict, CrmUnavailable, CrmValidationError } from '../types';
import { errorOf, type ZohoAnswer } from './http';
import { instantText } from './mapping';

const DATA_ERRORS = ['INVALID_DATA', 'MANDATORY_NOT_FOUND', 'DUPLICATE_DATA', 'LIMIT_EXCEEDED', 'DEPENDENT_FIELD_MISSING', 'MULTIPLE_OR_MULTI_ERRORS'];

/** `record`: the field named when Zoho names none (`event`, `task`). */
export function refuse(error: { code: string; message?: string; details?: Record<string, unknown> }, status: number, what: string, record: string): never {
  const field = typeof error.details?.api_name === 'string' ? error.details.api_name : record;
  if (DATA_ERRORS.includes(error.code)) throw new CrmValidationError(field, `Zoho refused ${what}: ${error.code}${error.message ? ` (${error.message})` : ''}`);
  throw new CrmUnavailable(`Zoho refused ${what}: ${status} ${error.code}${error.message ? ` (${error.message})` : ''}`);
}

/** Throws for an error answer; returns for a good one. */
export function refuseOther(answer: ZohoAnswer, what: string, record: string): void {
  const error = errorOf(answer.body);
  if (error) refuse(error, answer.status, what, record);
  if (answer.status >= 400) throw new CrmUnavailable(`Zoho answered ${what} with ${answer.status}`);
}

/** The id and Modified_Time of a write's one record, or the domain error its answer means. */
export function written(answer: ZohoAnswer, what: string, record: string, now: Date): { id: string; modified: string } {
  const error = errorOf(answer.body);
  if (answer.status === 412 || error?.code === 'ALREADY_MODIFIED') throw new CrmConflict(`${what}: the ${record} changed in Zoho meanwhile`);
  if (error) refuse(error, answer.status, what, record);
  const item = (Array.isArray(answer.body?.data) ? answer.body!.data[0] : undefined) as { details?: { id?: unknown; Modified_Time?: unknown } } | undefined;
  if (answer.status >= 300 || !item?.details?.id) throw new CrmUnavailable(`${what}: Zoho answered ${answer.status} without the record`);
  return { id: String(item.details.id), modified: instantText(String(item.details.Modified_Time ?? now.toISOString())) };
}

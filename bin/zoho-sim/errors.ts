/**
 * Zoho's error envelope (`v8.0/common.json` API_Exception: code, details, message, status) and a
 * throwable carrying it with its HTTP status, so handlers can bail out from any depth.
 */
export type Details = Record<string, unknown>;

export type ZohoErrorBody = {
  code: string;
  details: Details;
  message: string;
  status: 'error';
};

export const zohoError = (code: string, message: string, details: Details = {}): ZohoErrorBody => ({
  code,
  details,
  message,
  status: 'error',
});

/** An HTTP answer that ends the request: the status and the exact JSON body Zoho would send. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' && body !== null && 'code' in body ? String((body as { code: unknown }).code) : `HTTP ${status}`);
  }
}

export const fail = (status: number, code: string, message: string, details: Details = {}): ApiFailure =>
  new ApiFailure(status, zohoError(code, message, details));

export const invalidUrlPattern = (): ApiFailure =>
  fail(404, 'INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one');

export const requiredParamMissing = (param: string): ApiFailure =>
  fail(400, 'REQUIRED_PARAM_MISSING', 'required param is missing', { param_name: param });

export const invalidParam = (param: string, extra: Details = {}): ApiFailure =>
  fail(400, 'INVALID_DATA', 'invalid data', { param_name: param, ...extra });

export const internalError = (): ZohoErrorBody => zohoError('INTERNAL_ERROR', 'Internal Server Error');

/** Record-level error items (inside `data[]`), pointing at the offending input with a JSON path. */
export const fieldError = (code: string, message: string, apiName: string, index: number, extra: Details = {}): ZohoErrorBody =>
  zohoError(code, message, { api_name: apiName, json_path: `$.data[${index}].${apiName}`, ...extra });

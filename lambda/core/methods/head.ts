/** HEAD: GET's status and headers, Content-Length included, without the body (RFC 9110 §9.3.2). */
import type { CoreMethod } from '../types';
import { get } from './get';

export const head: CoreMethod = async (req, ctx) => {
  const { body: _body, ...response } = await get(req, ctx);
  return response;
};

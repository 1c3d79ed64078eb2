import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const mkcalendar: DavMethod = async () => {
  throw new DavError(501, 'mkcalendar is not implemented yet');
};

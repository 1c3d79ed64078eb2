import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const get: DavMethod = async () => {
  throw new DavError(501, 'get is not implemented yet');
};

import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const put: DavMethod = async () => {
  throw new DavError(501, 'put is not implemented yet');
};

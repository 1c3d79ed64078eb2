import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const proppatch: DavMethod = async () => {
  throw new DavError(501, 'proppatch is not implemented yet');
};

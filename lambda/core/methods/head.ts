import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const head: DavMethod = async () => {
  throw new DavError(501, 'head is not implemented yet');
};

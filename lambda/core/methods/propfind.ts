import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const propfind: DavMethod = async () => {
  throw new DavError(501, 'propfind is not implemented yet');
};

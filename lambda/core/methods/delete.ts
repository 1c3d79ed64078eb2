import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const deleteMethod: DavMethod = async () => {
  throw new DavError(501, 'delete is not implemented yet');
};

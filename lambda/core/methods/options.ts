import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const options: DavMethod = async () => {
  throw new DavError(501, 'options is not implemented yet');
};

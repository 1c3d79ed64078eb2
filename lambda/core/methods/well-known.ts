import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const wellKnown: DavMethod = async () => {
  throw new DavError(501, 'well-known is not implemented yet');
};

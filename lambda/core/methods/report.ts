import { DavError } from '../errors';
import type { DavMethod } from '../types';

// Placeholder until the method is implemented.
export const report: DavMethod = async () => {
  throw new DavError(501, 'report is not implemented yet');
};

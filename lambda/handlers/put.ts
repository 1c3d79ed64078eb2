import { put } from '../core/methods/put';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(put);

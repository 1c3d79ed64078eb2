import { proppatch } from '../core/methods/proppatch';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(proppatch);

import { get } from '../core/methods/get';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(get);

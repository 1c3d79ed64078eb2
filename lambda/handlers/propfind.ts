import { propfind } from '../core/methods/propfind';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(propfind);

import { deleteMethod } from '../core/methods/delete';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(deleteMethod);

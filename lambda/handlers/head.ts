import { head } from '../core/methods/head';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(head);

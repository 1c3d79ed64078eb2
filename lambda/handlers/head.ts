import { containerReadDavApp } from '../app/read-dav-container';
import { head } from '../core/methods/head';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(head, containerReadDavApp));

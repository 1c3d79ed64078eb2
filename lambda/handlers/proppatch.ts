import { containerDavApp } from '../app/dav-container';
import { proppatch } from '../core/methods/proppatch';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(proppatch, containerDavApp));

import { containerDavApp } from '../app/dav-container';
import { put } from '../core/methods/put';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(put, containerDavApp));

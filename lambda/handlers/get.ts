import { containerReadDavApp } from '../app/read-dav-container';
import { get } from '../core/methods/get';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(get, containerReadDavApp));

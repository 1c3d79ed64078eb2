import { containerReadDavApp } from '../app/read-dav-container';
import { propfind } from '../core/methods/propfind';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(propfind, containerReadDavApp));

import { containerDavApp } from '../app/dav-container';
import { deleteMethod } from '../core/methods/delete';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(deleteMethod, containerDavApp));

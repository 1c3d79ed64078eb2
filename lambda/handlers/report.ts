import { containerReadDavApp } from '../app/read-dav-container';
import { report } from '../core/methods/report';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(report, containerReadDavApp));

/** Also serves MKCOL (see dav-routing.ts): users get exactly one calendar, so both are refused. */
import { containerReadDavApp } from '../app/read-dav-container';
import { mkcalendar } from '../core/methods/mkcalendar';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(mkcalendar, containerReadDavApp));

/** Also serves MKCOL (see routing.ts): users get exactly one calendar, so both are refused. */
import { mkcalendar } from '../core/methods/mkcalendar';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(mkcalendar);

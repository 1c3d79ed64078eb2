/** Also serves MKCOL (see routing.ts): users get exactly one calendar, so both are refused. */
import { containerApp } from '../app/container';
import { acceptAlb } from '../http/front-door';
import { methodHandler } from './routing';

export const handler = acceptAlb(methodHandler('MKCALENDAR', containerApp));

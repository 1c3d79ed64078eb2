/** Also serves MKCOL (see routing.ts): users get exactly one calendar, so both are refused. */
import { containerApp } from '../app/container';
import { methodHandler } from './routing';

export const handler = methodHandler('MKCALENDAR', containerApp);

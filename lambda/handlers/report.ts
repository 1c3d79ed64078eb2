import { containerApp } from '../app/container';
import { acceptAlb } from '../http/front-door';
import { methodHandler } from './routing';

export const handler = acceptAlb(methodHandler('REPORT', containerApp));

/** OPTIONS answers without credentials: clients probe capabilities before logging in. */
import { containerApp } from '../app/container';
import { acceptAlb } from '../http/front-door';
import { methodHandler } from './routing';

export const handler = acceptAlb(methodHandler('OPTIONS', containerApp));

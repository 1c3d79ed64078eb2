/** OPTIONS answers without credentials: clients probe capabilities before logging in. */
import { containerApp } from '../app/container';
import { methodHandler } from './routing';

export const handler = methodHandler('OPTIONS', containerApp);

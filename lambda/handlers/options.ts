/** OPTIONS answers without credentials: clients probe capabilities before logging in. */
import { options } from '../core/methods/options';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(options, { authenticate: false });

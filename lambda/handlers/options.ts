/** OPTIONS answers without credentials (clients probe capabilities before logging in), and reads nothing. */
import { options } from '../core/methods/options';
import { anonymousHandler } from '../http/anonymous-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(anonymousHandler(options));

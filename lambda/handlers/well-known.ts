/**
 * /.well-known/caldav (RFC 6764 §5), whatever the method: a redirect to the DAV root. It needs no
 * credentials (clients follow it before authenticating) and reads nothing.
 */
import { wellKnown } from '../core/methods/well-known';
import { anonymousHandler } from '../http/anonymous-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(anonymousHandler(wellKnown));

/**
 * /.well-known/caldav (RFC 6764 §5), whatever the method: a redirect to the DAV root. It needs no
 * credentials: clients follow it before authenticating.
 */
import { containerApp } from '../app/container';
import { wellKnown } from '../core/methods/well-known';
import { davHandler } from '../http/dav-handler';
import { acceptAlb } from '../http/front-door';

export const handler = acceptAlb(davHandler(wellKnown, containerApp, { authenticate: false }));

/** The CalDAV side of this Lambda container's App (dav-app.ts), built from process.env on first use. */
import type { DavPartsSource } from '../http/dav-handler';
import { once } from './once';

export const containerDavApp: DavPartsSource = once(() => import('./build-dav').then(({ buildDavApp }) => buildDavApp()));

/** The App of this container's read-only CalDAV function (build-read-dav.ts), built from process.env on first use. */
import type { DavPartsSource } from '../http/dav-handler';
import { once } from './once';

export const containerReadDavApp: DavPartsSource = once(() => import('./build-read-dav').then(({ buildReadDavApp }) => buildReadDavApp()));

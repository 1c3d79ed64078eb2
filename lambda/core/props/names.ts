/** Clark-name shorthands and small element builders shared by the property providers. */
import { NS, clark, type Clark } from '../namespaces';
import { el, type XmlElement } from '../xml';

export const D = (local: string): Clark => clark(NS.DAV, local);
export const CAL = (local: string): Clark => clark(NS.CALDAV, local);
export const CS = (local: string): Clark => clark(NS.CS, local);
export const ICAL = (local: string): Clark => clark(NS.APPLE, local);

export const hrefEl = (href: string): XmlElement => el(D('href'), href);

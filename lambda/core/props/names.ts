/** Small element builders shared by the property providers (names: core/namespaces.ts). */
import { D } from '../namespaces';
import { el, type XmlElement } from '../xml';

export const hrefEl = (href: string): XmlElement => el(D('href'), href);

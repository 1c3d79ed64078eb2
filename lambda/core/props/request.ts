/** Reads the prop / allprop / propname part of a PROPFIND or REPORT body (RFC 4918 §14.20). */
import { badRequest } from '../errors';
import { findChild, type XmlElement } from '../xml';
import { D } from '../namespaces';
import type { PropRequest } from './types';

export const ALLPROP: PropRequest = { type: 'allprop', include: [] };

/** @param container the element holding the choice, e.g. DAV:propfind or a REPORT root. */
export function propRequestOf(container: XmlElement): PropRequest {
  const prop = findChild(container, D('prop'));
  if (prop) return { type: 'prop', names: prop.children.map((c) => c.name) };
  if (findChild(container, D('propname'))) return { type: 'propname' };
  if (findChild(container, D('allprop'))) {
    const include = findChild(container, D('include'));
    return { type: 'allprop', include: include?.children.map((c) => c.name) ?? [] };
  }
  throw badRequest('Expected DAV:prop, DAV:allprop or DAV:propname');
}

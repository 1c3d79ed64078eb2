import { describe, expect, it } from 'vitest';
import { propResponse, type Resource } from '../../../lambda/core/props';
import { DEFAULT_CONFIG } from '../../../lambda/core/types';
import { parseMultistatus } from '../../helpers/multistatus';
import { serializeXml, el } from '../../../lambda/core/xml';

const ctx = { user: { email: 'alice@example.com' }, config: DEFAULT_CONFIG };

function props(res: Resource, names: string[]) {
  const xml = serializeXml(el('{DAV:}multistatus', propResponse('/x', res, { type: 'prop', names }, ctx)));
  return parseMultistatus(xml).responses.get('/x')!;
}

describe('property providers', () => {
  it('give calendar objects (as REPORT returns them) owner, principal and content-only privileges', () => {
    const res: Resource = {
      kind: 'object',
      email: 'alice@example.com',
      list: 'events',
      object: { name: 'a.ics', etag: '"1"', lastModified: '2025-01-01T00:00:00Z', size: 10, rangeStart: null, rangeEnd: null },
    };
    const p = props(res, ['{DAV:}owner', '{DAV:}current-user-principal', '{DAV:}current-user-privilege-set']);
    expect(p.get('{DAV:}owner')?.element.children[0]?.text).toBe('/principals/alice@example.com/');
    expect(p.get('{DAV:}current-user-principal')?.status).toBe(200);
    const privileges = p.get('{DAV:}current-user-privilege-set')!.element.children.map((c) => c.children[0]?.name);
    expect(privileges).toContain('{DAV:}write-content');
    expect(privileges).not.toContain('{DAV:}write-properties');
  });

  it('never let a stored dead property shadow a live one', () => {
    const res: Resource = {
      kind: 'calendar',
      email: 'alice@example.com',
      list: 'events',
      meta: { seq: 4, props: { '{http://calendarserver.org/ns/}getctag': 'forged', '{urn:x}y': 'kept' } },
    };
    const p = props(res, ['{http://calendarserver.org/ns/}getctag', '{urn:x}y']);
    expect(p.get('{http://calendarserver.org/ns/}getctag')?.element.text).toBe('"4"');
    expect(p.get('{urn:x}y')?.element.text).toBe('kept');
  });

  it('give no owner to the shared root', () => {
    expect(props({ kind: 'root' }, ['{DAV:}owner']).get('{DAV:}owner')?.status).toBe(404);
  });
});

import { expect, it } from 'vitest';
import { propfind } from '../../../lambda/core/methods/propfind';
import { wellKnown } from '../../../lambda/core/methods/well-known';
import { resolvePath } from '../../../lambda/core/paths';
import { parseMultistatus } from '../../helpers/multistatus';
import { call, makeCtx, propfindBody } from './harness';

it.each(['PROPFIND', 'GET', 'OPTIONS'])('redirects %s to the DAV root, which names the principal', async (method) => {
  const ctx = makeCtx();
  const res = await call(wellKnown, ctx, { method, path: '/.well-known/caldav' });
  expect(res.status).toBe(301);
  const location = res.headers.location!;
  expect(resolvePath(location)).toEqual({ kind: 'root' });

  const followed = await call(propfind, ctx, {
    method: 'PROPFIND',
    path: location,
    headers: { depth: '0' },
    body: propfindBody('d:current-user-principal'),
  });
  const props = parseMultistatus(followed.body ?? '').responses.get(location)!;
  expect(props.get('{DAV:}current-user-principal')?.element.children[0]?.text).toBe('/principals/alice@example.com/');
});

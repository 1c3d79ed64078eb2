import { expect, it } from 'vitest';
import { options } from '../../../lambda/core/methods/options';
import type { DavContext } from '../../../lambda/core/types';

it('advertises calendar-access and implicit scheduling (RFC 6638 §2) and the allowed methods, with no body', async () => {
  // OPTIONS runs before authentication: it must not touch the user or the store.
  const res = await options({ method: 'OPTIONS', path: '/', headers: {}, body: '' }, {} as DavContext);
  expect(res.status).toBe(200);
  expect(res.headers.dav).toBe('1, 3, calendar-access, calendar-auto-schedule');
  expect(res.headers.allow?.split(', ').sort()).toEqual(
    ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'PROPFIND', 'PROPPATCH', 'REPORT', 'MKCALENDAR', 'POST'].sort(),
  );
  expect(res.headers['content-length']).toBe('0');
  expect(res.body ?? '').toBe('');
});

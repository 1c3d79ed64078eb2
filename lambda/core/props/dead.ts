/**
 * Dead properties a client stored on the calendar with PROPPATCH (RFC 4918 §4.2), returned as
 * text. Registered last so that live properties always win over a stored value of the same name.
 */
import type { PropProvider } from './types';

export const deadProps: PropProvider = (res) =>
  res.kind === 'calendar'
    ? Object.fromEntries(Object.entries(res.meta.props).map(([name, text]) => [name, () => text]))
    : {};

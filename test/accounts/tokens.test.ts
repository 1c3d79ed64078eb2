import { describe, expect, it } from 'vitest';
import { addressOf, addressedToken, sameSecret, tokenHash } from '../../lambda/accounts/tokens';

describe('addressed tokens', () => {
  it('name their lower-cased account and carry a random secret; anything else names nobody', () => {
    const token = addressedToken('Ana@Example.com', 18);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{24}$/);
    expect(addressOf(token)).toBe('ana@example.com');
    expect(addressedToken('ana@example.com', 18)).not.toBe(token);
    for (const bad of ['', 'x', `${token.split('.')[0]}.short`, `${Buffer.from('no-at').toString('base64url')}.${'a'.repeat(24)}`]) expect(addressOf(bad), bad).toBeNull();
  });

  it('are stored as a hash and compared in constant time', () => {
    expect(tokenHash('t')).toBe(tokenHash('t'));
    expect(tokenHash('t')).not.toBe(tokenHash('u'));
    expect(sameSecret('secret', 'secret')).toBe(true);
    expect(sameSecret('secret', 'secret!')).toBe(false);
    expect(sameSecret('', 'secret')).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { MemoryUserStore } from '../../lambda/store/memory';
import type { UserRecord, UserStore } from '../../lambda/store/types';
import { freshTables, type TestTables } from '../helpers/dynamo';

let t: TestTables;
beforeAll(async () => {
  t = await freshTables();
});
afterAll(async () => {
  await t?.drop();
});

const user = (email: string, extra: Partial<UserRecord> = {}): UserRecord => ({
  email,
  passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
  enabled: true,
  createdAt: '2025-01-01T00:00:00.000Z',
  ...extra,
});

function userStoreContract(label: string, factory: () => UserStore) {
  describe(`UserStore contract: ${label}`, () => {
    let store: UserStore;
    beforeAll(() => {
      store = factory();
    });

    it('stores under the lower-cased e-mail and finds it case-insensitively', async () => {
      await store.putUser(user('Alice@Example.com', { name: 'Alice', timeZone: 'Europe/Paris' }));
      const got = await store.getUser('ALICE@example.COM');
      expect(got).toEqual(user('alice@example.com', { name: 'Alice', timeZone: 'Europe/Paris' }));
    });

    it('answers null for an unknown user', async () => {
      expect(await store.getUser('nobody@example.com')).toBeNull();
    });

    it('leaves optional fields out rather than storing undefined', async () => {
      await store.putUser(user('bob@example.com', { name: undefined }));
      const got = await store.getUser('bob@example.com');
      expect(got).toEqual(user('bob@example.com'));
      expect(got && 'name' in got && got.name !== undefined).toBe(false);
    });

    it('replaces the whole record on put', async () => {
      await store.putUser(user('carol@example.com', { name: 'Carol', enabledAt: '2025-02-01T00:00:00.000Z' }));
      await store.putUser(user('carol@example.com', { enabled: false }));
      expect(await store.getUser('carol@example.com')).toEqual(user('carol@example.com', { enabled: false }));
    });

    it('lists every user', async () => {
      const emails = (await store.listUsers()).map((u) => u.email).sort();
      expect(emails).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    });
  });
}

userStoreContract('memory', () => new MemoryUserStore());
userStoreContract('DynamoDB', () => new DynamoUserStore(t.doc, t.tables.users));

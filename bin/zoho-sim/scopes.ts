/**
 * OAuth scopes a call needs (facts §2 table). A token passes if any granted scope covers the
 * need; names are compared without regard to case (the sources spell `ZohoCRM.Modules.Events.ALL`
 * and `ZohoCRM.modules.leads.ALL` alike).
 */
import { fail, type ApiFailure } from './errors';

export type ScopeNeed =
  | { service: 'modules'; op: 'READ' | 'CREATE' | 'UPDATE' | 'DELETE'; module: string }
  | { service: 'coql' }
  | { service: 'users' }
  | { service: 'settings.fields'; op: 'READ' | 'CREATE' }
  | { service: 'notifications'; op: 'READ' | 'CREATE' | 'UPDATE' | 'DELETE' };

function accepted(need: ScopeNeed): string[] {
  const writes = (op: string) => (op === 'READ' ? [op] : [op, 'WRITE']);
  switch (need.service) {
    case 'modules':
      return ['ZohoCRM.modules.ALL', ...writes(need.op).flatMap((op) => [`ZohoCRM.modules.${op}`, `ZohoCRM.modules.${need.module}.${op}`]), `ZohoCRM.modules.${need.module}.ALL`];
    case 'coql':
      return ['ZohoCRM.coql.READ', 'ZohoCRM.coql.ALL'];
    case 'users':
      return ['ZohoCRM.users.READ', 'ZohoCRM.users.ALL'];
    case 'settings.fields':
      return ['ZohoCRM.settings.ALL', 'ZohoCRM.settings.fields.ALL', ...writes(need.op).map((op) => `ZohoCRM.settings.fields.${op}`)];
    case 'notifications':
      return ['ZohoCRM.notifications.ALL', ...writes(need.op).map((op) => `ZohoCRM.notifications.${op}`)];
  }
}

export function allows(granted: readonly string[], need: ScopeNeed): boolean {
  const have = new Set(granted.map((s) => s.toLowerCase()));
  return accepted(need).some((s) => have.has(s.toLowerCase()));
}

/** `createRecords/examples/response-401-oauthscopemismatch.md`. */
export const scopeMismatch = (): ApiFailure => fail(401, 'OAUTH_SCOPE_MISMATCH', 'Unauthorized');

export function requireScope(granted: readonly string[], need: ScopeNeed): void {
  if (!allows(granted, need)) throw scopeMismatch();
}

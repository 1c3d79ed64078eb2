/**
 * CRM tasks (docs/tasks.md) plugged into the App's parts: the connector's Tasks module and the
 * bridge's tasks half. buildApp does it (the local server, the CRM API, the scheduled pass, the
 * outbox worker); the CalDAV functions' App does not, so their bundles stay within budget, and
 * their tasks-list changes wait in the outbox for a deliverer that has it (sync/task-sync.ts).
 */
import { attachBuiltinTasks } from '../crm/builtin/tasks';
import { attachZohoTasks } from '../crm/zoho/tasks';
import { TASK_SYNC } from '../sync/tasks';
import type { DynamoParts } from './dynamo-parts';

export function withTasks(parts: DynamoParts): DynamoParts {
  if (parts.builtin) attachBuiltinTasks(parts.builtin);
  if (parts.zoho) attachZohoTasks(parts.zoho.parts.connector);
  return parts.bridge ? { ...parts, bridge: { ...parts.bridge, tasks: TASK_SYNC } } : parts;
}

/**
 * Reading a synthesized CaldavStack template by intent: which function (by its Description)
 * serves a route, and what access each function's role has to each table.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { TABLES } from '../../lambda/store/dynamodb/schema';

export type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
export type Access = 'none' | 'read' | 'write' | 'readWrite';

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];
export const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
];

export const resources = (template: Template): Record<string, Resource> =>
  template.toJSON().Resources as Record<string, Resource>;

export const ofType = (template: Template, type: string): [string, Resource][] =>
  Object.entries(resources(template)).filter(([, r]) => r.Type === type);

const getAttId = (value: unknown): string | undefined => {
  const attr = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return attr?.[0];
};
const refId = (value: unknown): string | undefined => (value as { Ref?: string } | undefined)?.Ref;

/** Function logical id by Description, e.g. 'CalDAV GET'. */
export function functionsByDescription(template: Template): Record<string, string> {
  return Object.fromEntries(
    ofType(template, 'AWS::Lambda::Function').map(([id, r]) => [r.Properties.Description as string, id]),
  );
}

/** Route key → Description of the function its integration invokes. */
export function routeTargets(template: Template): Record<string, string> {
  const all = resources(template);
  const descriptionOf = (fnId: string) => all[fnId]?.Properties.Description as string;
  const result: Record<string, string> = {};
  for (const [, route] of ofType(template, 'AWS::ApiGatewayV2::Route')) {
    const target = route.Properties.Target as { 'Fn::Join': [string, unknown[]] };
    const integrationId = refId(target['Fn::Join'][1][1]);
    const integration = integrationId ? all[integrationId] : undefined;
    const fnId = getAttId(integration?.Properties.IntegrationUri);
    result[route.Properties.RouteKey as string] = fnId ? descriptionOf(fnId) : 'unknown';
  }
  return result;
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Every policy statement attached to the role of the function with this logical id. */
export function statementsOf(template: Template, fnId: string): Statement[] {
  const all = resources(template);
  const roleId = getAttId(all[fnId]?.Properties.Role);
  return ofType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => refId(r) === roleId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Access of one function to one table, from the actions granted on that table's ARN. */
export function tableAccess(template: Template, fnId: string, tableId: string): Access {
  const actions = statementsOf(template, fnId)
    .filter((s) => asList(s.Resource).some((r) => getAttId(r) === tableId))
    .flatMap((s) => asList(s.Action));
  const reads = READ_ACTIONS.every((a) => actions.includes(a));
  const writes = WRITE_ACTIONS.some((a) => actions.includes(a));
  return reads && writes ? 'readWrite' : writes ? 'write' : reads ? 'read' : 'none';
}

/** Table logical ids keyed by the table's logical name (events, sync, users). */
export function tableIds(template: Template): Record<string, string> {
  return Object.fromEntries(
    ofType(template, 'AWS::DynamoDB::Table').map(([id]) => [
      TABLES.map((t) => t.logicalName).find((n) => id.startsWith(`Tables${n}`)) ?? id,
      id,
    ]),
  );
}

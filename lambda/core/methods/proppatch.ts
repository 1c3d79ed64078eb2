/**
 * PROPPATCH (RFC 4918 §9.2): all or nothing. Each property gets its own status; if any is
 * refused, nothing is stored and the others report 424 Failed Dependency.
 *
 * Only the CRM calendar and the tasks list take changes:
 * - the settings in CALENDAR_SETTINGS (displayname, description, colour, order, timezone) are
 *   checked and stored; removing one restores its default;
 * - other live properties are protected: 403 with DAV:cannot-modify-protected-property;
 * - any other name is kept as a dead property, so clients read back what they wrote. Only text
 *   values are kept (CalendarMeta stores text), at most MAX_DEAD_PROPS of them, each at most
 *   MAX_DEAD_PROP_BYTES long; a value with child elements gets 403, going over a limit 507.
 * On every other resource each property is refused with 403 (iOS sends e.g. calendar-order to
 * the home and must get a 207, not an error).
 */
import { assertOwnNode } from '../access';
import { badRequest, notFound } from '../errors';
import type { Clark } from '../namespaces';
import { listKey, resolvePath } from '../paths';
import {
  CALENDAR_SETTINGS,
  MAX_DEAD_PROP_BYTES,
  MAX_SETTING_BYTES,
  type Refusal,
} from '../props/calendar-settings';
import { definedPropNames, type PropContext, type Resource } from '../props';
import { D } from '../namespaces';
import { hrefOf, loadResource } from '../resource';
import { multistatus, statusLine } from '../responses';
import type { DavContext, CoreMethod } from '../types';
import { el, findChildren, parseXml, type XmlElement } from '../xml';

export const MAX_DEAD_PROPS = 32;

const utf8 = new TextEncoder();

interface Instruction {
  op: 'set' | 'remove';
  prop: XmlElement;
}

type CalendarResource = Extract<Resource, { kind: 'calendar' }>;

export const proppatch: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  const instructions = parsePropertyUpdate(req.body);
  const res = await loadResource(node, ctx);
  if (!res) throw notFound();

  const outcome =
    res.kind === 'calendar' ? await patchCalendar(res, instructions, ctx) : refuseAll(res, instructions, ctx);
  return multistatus([patchResponse(hrefOf(res), outcome)]);
};

const PROTECTED: Refusal = {
  status: 403,
  condition: D('cannot-modify-protected-property'),
  message: 'This property is computed by the server',
};
const TOO_MANY: Refusal = { status: 507, message: `At most ${MAX_DEAD_PROPS} dead properties per calendar` };
const NOT_HERE: Refusal = { status: 403, message: 'Only properties of the CRM calendar and the tasks list can be changed' };

function parsePropertyUpdate(body: string): Instruction[] {
  const root = parseXml(body);
  if (root.name !== D('propertyupdate')) throw badRequest('Expected a DAV:propertyupdate body');
  const instructions = root.children.flatMap((child): Instruction[] => {
    const op = child.name === D('set') ? 'set' : child.name === D('remove') ? 'remove' : null;
    if (!op) return [];
    return findChildren(child, D('prop')).flatMap((p) => p.children.map((prop) => ({ op, prop })));
  });
  if (instructions.length === 0) throw badRequest('DAV:propertyupdate names no property');
  return instructions;
}

function refuseAll(res: Resource, instructions: Instruction[], ctx: PropContext) {
  const live = new Set(definedPropNames(res, ctx));
  return new Map(instructions.map(({ prop }) => [prop.name, live.has(prop.name) ? PROTECTED : NOT_HERE]));
}

/** Stores the changes only if every instruction is acceptable. */
async function patchCalendar(res: CalendarResource, instructions: Instruction[], ctx: DavContext) {
  const { outcome, set, remove } = planCalendarPatch(res, instructions, ctx);
  if ([...outcome.values()].every((r) => r === null)) await ctx.store.patchCalendarProps(listKey(res), set, remove);
  return outcome;
}

/** Judges every instruction in document order; the last one for a name decides what is stored. */
function planCalendarPatch(res: CalendarResource, instructions: Instruction[], ctx: PropContext) {
  // What the calendar defines with no stored values: its live properties.
  const live = new Set(definedPropNames({ ...res, meta: { ...res.meta, props: {} } }, ctx));
  const set: Record<Clark, string> = {};
  const removed = new Set<Clark>();
  const outcome = new Map<Clark, Refusal | null>();

  for (const { op, prop } of instructions) {
    const { name } = prop;
    const setting = CALENDAR_SETTINGS[name];
    let refusal: Refusal | null = null;
    if (!setting && live.has(name)) refusal = PROTECTED;
    else if (op === 'set') {
      const maxBytes = setting ? MAX_SETTING_BYTES : MAX_DEAD_PROP_BYTES;
      refusal = textRefusal(prop, maxBytes) ?? setting?.check(prop.text) ?? null;
    }
    if (outcome.get(name)) continue; // an earlier refusal of this name stands
    outcome.set(name, refusal);
    if (refusal) continue;
    if (op === 'set') {
      set[name] = prop.text;
      removed.delete(name);
    } else {
      delete set[name];
      removed.add(name);
    }
  }

  const deadCount = new Set(
    [...Object.keys(res.meta.props), ...Object.keys(set)].filter((n) => !CALENDAR_SETTINGS[n] && !removed.has(n)),
  ).size;
  if (deadCount > MAX_DEAD_PROPS) {
    for (const name of Object.keys(set)) {
      if (!CALENDAR_SETTINGS[name]) outcome.set(name, TOO_MANY);
    }
  }
  return { outcome, set, remove: [...removed] };
}

function textRefusal(prop: XmlElement, maxBytes: number): Refusal | null {
  if (prop.children.length > 0) return { status: 403, message: 'Only text property values can be stored' };
  if (utf8.encode(prop.text).length > maxBytes) {
    return { status: 507, message: `Values are limited to ${maxBytes} bytes` };
  }
  return null;
}

/** One DAV:response; refusals keep their status, the rest are 200 or, after a refusal, 424. */
function patchResponse(href: string, outcome: Map<Clark, Refusal | null>): XmlElement {
  const failed = [...outcome.values()].some((r) => r !== null);
  const groups = new Map<string, { refusal: Refusal | null; status: number; names: Clark[] }>();
  for (const [name, refusal] of outcome) {
    const status = refusal?.status ?? (failed ? 424 : 200);
    const key = `${status} ${refusal?.condition ?? ''} ${refusal?.message ?? ''}`;
    const group = groups.get(key) ?? { refusal, status, names: [] };
    group.names.push(name);
    groups.set(key, group);
  }
  const propstats = [...groups.values()]
    .sort((a, b) => a.status - b.status)
    .map(({ refusal, status, names }) =>
      el(
        D('propstat'),
        el(D('prop'), ...names.map((n) => el(n))),
        el(D('status'), statusLine(status)),
        refusal?.condition && el(D('error'), el(refusal.condition)),
        refusal && el(D('responsedescription'), refusal.message),
      ),
    );
  return el(D('response'), el(D('href'), href), ...propstats);
}

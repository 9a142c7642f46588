import madge from 'madge';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Which module may depend on which (docs/architecture.md, "Modules"). The modules stand in layers,
 * lowest first; a module may import from its own layer and the ones below. A module that needs
 * something from above is handed it (a hook, as billing's PlanLimits) or the two are composed by a
 * module above both (pages/). Wiring — the top-level files, db/ (every schema, for drizzle), demo/,
 * the key-rotation tools and the worker's job list — may import anything.
 */
const layers: string[][] = [
  ['types', 'i18n'],
  ['ratelimit'],
  ['encryption'],
  ['http', 'ops'],
  ['orgs', 'auth', 'audit', 'billing'],
  ['realtime'],
  ['hooks'],
  ['contacts', 'imports', 'channel-kinds'],
  ['attachments'],
  ['templates', 'campaigns'],
  ['conversations'],
  ['channels'],
  ['delivery'],
  ['notifications'],
  ['artifacts'],
  ['bookings'],
  ['emergency'],
  ['guest'],
  ['portal'],
  ['fhir'],
  ['exports'],
  ['reports'],
  ['pages'],
];

/**
 * Upward edges that are known and not yet fixed. The list may only shrink: a new upward edge fails
 * the test, and so does an entry here that the code no longer has (take it out).
 */
const tolerated: Record<string, string> = {
  'attachments -> conversations': "an attachment row belongs to a message (its foreign key and the owner check)",
  'auth -> realtime': 'signing out publishes the event that ends the live streams',
  'orgs -> realtime': 'an organization change publishes its event',
  'http -> audit': "the request's actor type carries the audit reader",
  'http -> auth': "the request's actor type",
  'http -> hooks': 'the OpenAPI document lists the webhook event names',
  'realtime -> hooks': 'a published event is also queued for the outgoing webhooks',
  'realtime -> conversations': 'the live stream filters events by what the user may see of a conversation',
  'realtime -> notifications': 'the live stream decides desktop notifications',
  'campaigns -> conversations': 'a campaign sends through the conversations front door',
  'channels -> delivery': "webhooks queue the inbound job; the simulator shows delivery attempts",
  'conversations -> artifacts': 'a message may carry a card (its link is written with the message)',
};

const wiring = (file: string) => !file.includes('/') || /^(db|demo)\//.test(file) || ['encryption/rotate.ts', 'encryption/cli.ts', 'delivery/worker.ts'].includes(file);

/**
 * `channel-kinds` is the part of channels/ the registry reaches: the list of kinds, each kind's
 * descriptor and the adapters they build. Contacts and conversations read the channel lists and
 * rules from it, so it sits as low as contacts; the rest of channels/ (inbound filing, webhooks,
 * accounts, the SMS inbox) stays above conversations.
 */
let channelKinds = new Set<string>();
const moduleOf = (file: string) => (channelKinds.has(file) ? 'channel-kinds' : file.split('/')[0]);

function reachedFrom(graph: Record<string, string[]>, start: string, within: (file: string) => boolean): Set<string> {
  const seen = new Set<string>();
  const next = [start];
  while (next.length) {
    const file = next.pop()!;
    if (seen.has(file) || !within(file)) continue;
    seen.add(file);
    next.push(...(graph[file] ?? []));
  }
  return seen;
}

let upward: Map<string, string[]>;
let unlayered: string[];

beforeAll(async () => {
  const graph = (await madge('src', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json', excludeRegExp: [/\.test\.ts$/] })).obj();
  channelKinds = reachedFrom(graph, 'channels/registry.ts', (file) => file.startsWith('channels/'));
  const rank = new Map(layers.flatMap((layer, i) => layer.map((m) => [m, i] as const)));
  upward = new Map();
  const seen = new Set<string>();
  for (const [file, deps] of Object.entries(graph)) {
    if (wiring(file)) continue;
    seen.add(moduleOf(file));
    for (const dep of deps) {
      if (wiring(dep) || moduleOf(dep) === moduleOf(file)) continue;
      if ((rank.get(moduleOf(dep)) ?? -1) > (rank.get(moduleOf(file)) ?? Infinity)) {
        const edge = `${moduleOf(file)} -> ${moduleOf(dep)}`;
        upward.set(edge, [...(upward.get(edge) ?? []), `${file} -> ${dep}`]);
      }
    }
  }
  unlayered = [...seen].filter((m) => !rank.has(m));
}, 60_000);

describe('module layers', () => {
  it('places every module in a layer', () => {
    expect(upward).toBeDefined();
    expect(unlayered).toEqual([]);
  });

  it('has no upward import beyond the known ones', () => {
    const unknown = [...upward].filter(([edge]) => !(edge in tolerated)).map(([edge, files]) => ({ edge, files }));
    expect(unknown).toEqual([]);
  });

  it('lists no known upward import the code no longer has', () => {
    expect(Object.keys(tolerated).filter((edge) => !upward.has(edge))).toEqual([]);
  });

  it('keeps the reaches issue 14 removed out', () => {
    // contacts' page, billing's guest allowance, the guest page's card, the thread's bookings, and
    // and what the core reads or queues through conversations/hooks.ts.
    const hooked = ['campaigns -> bookings', 'conversations -> guest', 'conversations -> bookings', 'conversations -> delivery', 'conversations -> notifications'];
    for (const edge of ['contacts -> bookings', 'contacts -> conversations', 'billing -> conversations', 'billing -> guest', 'artifacts -> guest', 'guest -> portal', ...hooked]) {
      expect(upward.has(edge), edge).toBe(false);
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { archiveInactive } from '../../src/conversations/service.js';
import { inbound, setupApp, signIn, signupOrg, type TestContext } from '../helpers.js';

// Its own app and clock: this file moves time forward by a year.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await setupApp();
});

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((c) => c.id);

describe('auto-archive after 12 months without activity (M2)', () => {
  it('archives idle threads only, and the archive still finds them', async () => {
    const org = await signupOrg(ctx.app);
    const old = (await inbound(org, 'An old question about braces', '+14155550601')).conversationId;
    ctx.clock.advance(200 * 86_400_000);
    // The months that pass end every session: sign in again as a person would.
    org.owner = await signIn(ctx.app, org.me.user.email);
    const recent = (await inbound(org, 'A newer question', '+14155550602')).conversationId;
    ctx.clock.advance(170 * 86_400_000);
    expect(await archiveInactive(ctx.deps)).toBeGreaterThanOrEqual(1);
    const owner = await signIn(ctx.app, org.me.user.email);
    expect(ids(await owner.get('/api/v1/conversations?status=archived'))).toEqual([old]);
    expect(ids(await owner.get('/api/v1/conversations'))).toEqual([recent]);
    expect(ids(await owner.get('/api/v1/conversations?q=braces'))).toEqual([old]);
  });
});

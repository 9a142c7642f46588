/** HIPAA emergency access (issue 8): break the glass with a reason, audited, flagged, reviewed by another admin. */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let admin: Awaited<ReturnType<Org['addUser']>>;
let conversationId: string;

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Emergency Clinic', { plan: 'accelerator' });
  // An admin without the "inbox" privilege may not open SMS threads in the normal way.
  admin = await org.addUser('admin', { privileges: ['send_messages'] });
  conversationId = (await inbound(org, 'Chest pain since this morning', '+14155550901')).conversationId;
});

describe('emergency access', () => {
  it('is refused in the normal way', async () => {
    expectProblem(await admin.client.get(`/api/v1/conversations/${conversationId}`), 403, 'missing_privilege');
  });

  it('opens the thread only with a reason, audits it and flags it for review', async () => {
    expectProblem(await admin.client.post(`/api/v1/conversations/${conversationId}/emergency-access`, {}), 400, 'invalid_input');
    expectProblem(await admin.client.post(`/api/v1/conversations/${conversationId}/emergency-access`, { reason: 'urgent' }), 400, 'invalid_input');
    const res = await admin.client.post(`/api/v1/conversations/${conversationId}/emergency-access`, { reason: 'Patient called the front desk in distress; on-call nurse unreachable' });
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { body: string }) => m.body)).toEqual(['Chest pain since this morning']);
    const audit = (await org.owner.get(`/api/v1/audit?subjectId=${conversationId}&action=conversation.emergency_access`)).body.items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: admin.id, details: { flaggedForReview: true, emergencyAccessId: res.body.emergencyAccessId } });
    expect(JSON.stringify(audit)).not.toContain('distress');
    const pending = (await org.owner.get('/api/v1/emergency-access?unreviewed=true')).body.items;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ conversationId, openedBy: { id: admin.id }, reviewedAt: null });
    expect(pending[0].reason).toMatch(/in distress/);
  });

  it('is reviewed by another admin, never by the one who opened it', async () => {
    const [opening] = (await org.owner.get('/api/v1/emergency-access?unreviewed=true')).body.items;
    expectProblem(await admin.client.post(`/api/v1/emergency-access/${opening.id}/review`, {}), 403, 'forbidden');
    expect((await org.owner.post(`/api/v1/emergency-access/${opening.id}/review`, { note: 'Confirmed with the nurse lead' })).status).toBe(200);
    expectProblem(await org.owner.post(`/api/v1/emergency-access/${opening.id}/review`, {}), 409, 'conflict');
    expect((await org.owner.get('/api/v1/emergency-access?unreviewed=true')).body.items).toEqual([]);
    const [reviewed] = (await org.owner.get('/api/v1/emergency-access')).body.items;
    expect(reviewed).toMatchObject({ reviewedBy: { id: org.me.user.id }, reviewNote: 'Confirmed with the nurse lead' });
  });

  it('is for admins only, and never crosses organizations', async () => {
    const nurse = await org.addUser('nurse');
    expectProblem(await nurse.client.post(`/api/v1/conversations/${conversationId}/emergency-access`, { reason: 'I really need to see this one' }), 403, 'admin_only');
    const other = await signupOrg(ctx.app, 'Other Group');
    expectProblem(await other.owner.post(`/api/v1/conversations/${conversationId}/emergency-access`, { reason: 'Curious about the other clinic' }), 404, 'not_found');
    expect((await other.owner.get('/api/v1/emergency-access')).body.items).toEqual([]);
  });
});

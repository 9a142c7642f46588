import type { Feature } from '../billing/rules.js';
import type { Privilege, Role } from '../orgs/rules.js';

/** Who is calling: a signed-in staff member, through a browser session or an API token. */
export interface Actor {
  orgId: string;
  userId: string;
  name: string;
  email: string;
  role: Role;
  privileges: Privilege[];
  /** Clinics granted to a non-admin; admins see all their organization's clinics. */
  clinicIds: string[];
  via: { kind: 'session'; tokenHash: string; csrfToken: string } | { kind: 'api_token'; tokenId: string };
  ip: string;
  userAgent: string | null;
  /** The organization requires two-factor sign-in and this user has not enrolled: only enrolment is open. */
  mustEnrolTwoFactor: boolean;
}

/** What a route demands beyond being signed in. `privileges` means any one of them. */
export interface Access {
  public?: true;
  /** A signed-in patient of the portal (its own session), not staff. */
  portal?: true;
  privileges?: Privilege[];
  role?: 'admin' | 'main_admin';
  /** Reachable by staff whose organization requires two-factor sign-in before they have set it up. */
  duringTwoFactorEnrolment?: true;
  /** P4: a plan feature the route belongs to (402 naming the plan without it), with what to call it. */
  feature?: { name: Feature; what: string };
}

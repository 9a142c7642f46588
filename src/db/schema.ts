/** Every table, gathered for drizzle and drizzle-kit. Each module owns its own schema.ts. */
export * from '../orgs/schema.js';
export * from '../auth/schema.js';
export * from '../contacts/schema.js';
export * from '../conversations/schema.js';
export * from '../audit/schema.js';
export * from '../channels/schema.js';
export * from '../delivery/schema.js';
export * from '../billing/schema.js';
export * from '../attachments/schema.js';
export * from '../templates/schema.js';
export * from '../campaigns/schema.js';
export * from '../ratelimit/schema.js';
export * from '../guest/schema.js';
export * from '../portal/schema.js';
export * from '../bookings/schema.js';
export * from '../hooks/schema.js';
export * from '../artifacts/schema.js';

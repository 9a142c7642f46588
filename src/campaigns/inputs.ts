import { Type, type Static } from 'typebox';
import { Id, literals, Nullable } from '../http/schemas.js';
import { campaignChannels, campaignTriggers } from './rules.js';

/** A campaign as the routes take it; the service's input types are derived from these. */
const Clock = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, clinic time' });
export const CampaignTrigger = literals(campaignTriggers);
export const CampaignChannel = literals(campaignChannels);

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  hoursBefore: Type.Integer({ minimum: 1, maximum: 336, description: 'appointment_reminder: how long before the appointment' }),
  templateId: Id,
  channel: CampaignChannel,
  clinicId: Nullable(Id),
  quietHours: Type.Object({ start: Clock, end: Clock }),
  urgent: Type.Boolean(),
  active: Type.Boolean(),
};

export const CampaignBody = Type.Object({
  name: Fields.name,
  trigger: CampaignTrigger,
  templateId: Fields.templateId,
  hoursBefore: Type.Optional(Fields.hoursBefore),
  channel: Type.Optional(Fields.channel),
  clinicId: Type.Optional(Fields.clinicId),
  quietHours: Type.Optional(Fields.quietHours),
  urgent: Type.Optional(Fields.urgent),
  active: Type.Optional(Fields.active),
});
export type CampaignInput = Static<typeof CampaignBody>;

/** A change: any field but the trigger, which a campaign keeps. */
export const CampaignChangesBody = Type.Partial(Type.Object(Fields), { minProperties: 1 });
export type CampaignChanges = Static<typeof CampaignChangesBody>;

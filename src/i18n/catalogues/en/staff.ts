/** The staff app and the emails staff receive; one file per area of the app. */
import { app } from './staff/app.js';
import { errors } from './staff/errors.js';
import { inbox } from './staff/inbox.js';
import { reports } from './staff/reports.js';
import { settings } from './staff/settings.js';
import { shared } from './staff/shared.js';

export const staff = {
  ...app,
  ...shared,
  ...inbox,
  ...settings,
  ...reports,
  errors,
  /** Push and desktop notifications: no health information, ever. */
  notification: { newMessage: 'New message', newMessageFrom: 'New message from {{name}}' },
  email: {
    reminder: {
      waitHours_one: '{{count}} hour',
      waitHours_other: '{{count}} hours',
      waitMinutes_one: '{{count}} minute',
      waitMinutes_other: '{{count}} minutes',
      subject: 'A patient has waited over {{wait}} · {{clinic}}',
      body: "A patient's message to {{clinic}} has waited more than {{wait}} of opening hours for an answer.\n\nOpen the conversation: {{url}}\n\nYou get this because the conversation is yours or unassigned in your clinic. Turn these emails off in Frontdesk under Settings › Notifications.",
    },
  },
};

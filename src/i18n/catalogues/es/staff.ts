import type { Catalogue } from '../shape.js';
import { app } from './staff/app.js';
import { errors } from './staff/errors.js';
import { inbox } from './staff/inbox.js';
import { reports } from './staff/reports.js';
import { settings } from './staff/settings.js';
import { shared } from './staff/shared.js';

export const staff: Catalogue['staff'] = {
  ...app,
  ...shared,
  ...inbox,
  ...settings,
  ...reports,
  errors,
  /** Push and desktop notifications: no health information, ever. */
  notification: { newMessage: 'Mensaje nuevo', newMessageFrom: 'Mensaje nuevo de {{name}}' },
  email: {
    reminder: {
      waitHours_one: '{{count}} hora',
      waitHours_other: '{{count}} horas',
      waitMinutes_one: '{{count}} minuto',
      waitMinutes_other: '{{count}} minutos',
      subject: 'Un paciente lleva más de {{wait}} esperando · {{clinic}}',
      body: 'Un mensaje de un paciente a {{clinic}} lleva más de {{wait}} de horario de atención sin respuesta.\n\nAbra la conversación: {{url}}\n\nRecibe este aviso porque la conversación es suya o no está asignada en su clínica. Puede desactivar estos correos en Frontdesk, en Configuración › Notificaciones.',
    },
  },
};

import type { Catalogue } from '../../../index.js';

type Staff = Catalogue['staff'];

export const shared: Pick<Staff, 'channels' | 'ticks' | 'cards'> = {
  channels: { sms: 'SMS', email: 'Correo', whatsapp: 'WhatsApp', portal: 'Portal', web: 'Web', call: 'Llamada' },
  ticks: { queued: 'En cola', sent: 'Enviado', delivered: 'Entregado', read: 'Leído', failed: 'Fallido' },
  cards: {
    appointment: 'Cita',
    invoice: 'Factura',
    prescription: 'Receta',
    treatment_plan: 'Plan de tratamiento',
    form: 'Formulario',
    payment_request: 'Solicitud de pago',
    review_request: 'Solicitud de reseña',
  },
};

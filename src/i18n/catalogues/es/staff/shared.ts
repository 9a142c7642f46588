import type { Catalogue } from '../../shape.js';
import { cardLabels } from '../patient.js';

type Staff = Catalogue['staff'];

export const shared: Pick<Staff, 'channels' | 'ticks' | 'cards' | 'bubble' | 'emailHtml' | 'files' | 'planLock' | 'filters'> = {
  channels: { sms: 'SMS', email: 'Correo', whatsapp: 'WhatsApp', portal: 'Portal', web: 'Web', call: 'Llamada' },
  ticks: { queued: 'En cola', sent: 'Enviado', delivered: 'Entregado', read: 'Leído', failed: 'Fallido' },
  cards: cardLabels,
  bubble: {
    automatic: 'respuesta automática',
    automaticHint: 'La envió el programa de correo del paciente (un aviso de ausencia o de vacaciones), no la escribió él. No se envió ninguna respuesta automática.',
    star: 'Destacar el mensaje',
    unstar: 'Quitar de destacados',
    retract: 'Retirar',
    retracted: 'Retirado: {{reason}}. El paciente ve que se retiró; el texto se conserva en el historial.',
    correction: 'Corrección de un mensaje anterior',
    card: '{{kind}}: <strong>{{title}}</strong>',
    opened_one: 'abierto {{count}} vez (la última, {{last}})',
    opened_other: 'abierto {{count}} veces (la última, {{last}})',
    notOpened: 'aún sin abrir',
    sensitive: 'Confidencial: el paciente vuelve a introducir su contraseña para leerlo',
    incomingCall: 'Llamada entrante · {{length}}',
    outgoingCall: 'Llamada saliente · {{length}}',
    plain: 'Ver como texto sin formato',
    formatted: 'Ver el correo con formato',
    hideQuoted: 'Ocultar el texto citado',
    showQuoted: 'Ver el texto citado',
    reacted: 'El paciente reaccionó con {{reaction}}',
    notDelivered: 'No entregado: {{reason}}',
    retractLabel: 'Retirar el mensaje',
    recallable: 'El paciente verá que este mensaje se retiró.',
    notRecallable: 'Un SMS, correo o mensaje de WhatsApp que ya está en el teléfono del paciente no se puede recuperar: envíe una corrección.',
    correctionField: 'Corrección (se envía como mensaje nuevo)',
  },
  emailHtml: {
    remote_one: 'No se muestra una imagen de internet, para que el remitente no sepa cuándo se leyó.',
    remote_other: 'No se muestran {{count}} imágenes de internet, para que el remitente no sepa cuándo se leyó.',
    load: 'Cargar imágenes',
  },
  files: { photo: 'Foto: {{file}}', voice: 'Mensaje de voz: {{file}}', video: 'Vídeo: {{file}}', attachment: 'Adjunto: {{file}} ({{size}} KB)' },
  planLock: 'El administrador principal puede cambiar el plan en Configuración → Plan.',
  filters: { label: 'Filtros', count_one: 'Filtros ({{count}})', count_other: 'Filtros ({{count}})', show: 'Ver conversaciones' },
};

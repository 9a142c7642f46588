import type { Catalogue } from '../../shape.js';

type Staff = Catalogue['staff'];

export const reports: Pick<Staff, 'contacts' | 'reports'> = {
  contacts: {
    search: 'Buscar',
    searchHint: 'Nombre, teléfono o correo',
    type: 'Tipo',
    all: 'Todos',
    blockedOnly: 'Solo bloqueados',
    name: 'Nombre',
    phone: 'Teléfono',
    email: 'Correo',
    blockedMark: '(bloqueado)',
    patient: 'Paciente',
    lead: 'Posible paciente',
    yes: 'Sí',
    more: 'Ver más',
    none: 'Ningún contacto coincide.',
  },
  reports: {
    conversion: 'Conversión',
    conversionText_one: 'Del {{from}} al {{to}}: <strong>{{converted}}</strong> de {{conversations}} conversación nueva terminó en una cita ({{rate}}).',
    conversionText_other: 'Del {{from}} al {{to}}: <strong>{{converted}}</strong> de {{conversations}} conversaciones nuevas terminaron en una cita ({{rate}}).',
    byFirstChannel: 'Por primer canal',
    byMonth: 'Por mes',
    month: 'Mes',
    firstAnswers: 'Primeras respuestas',
    medianWait: 'Espera mediana',
    responseTimes: 'Tiempos de respuesta',
    responseText_one: 'En {{period}}: {{answers}} primera respuesta, espera mediana <strong>{{wait}}</strong>.',
    responseText_other: 'En {{period}}: {{answers}} primeras respuestas, espera mediana <strong>{{wait}}</strong>.',
    byClinic: 'Por clínica',
    byChannel: 'Por canal',
    byTeamMember: 'Por miembro del equipo',
    teamMember: 'Miembro del equipo',
    ledToBooking: 'Terminaron en cita',
    rate: 'Tasa',
  },
};

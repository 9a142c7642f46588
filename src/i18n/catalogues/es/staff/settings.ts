import type { Catalogue } from '../../shape.js';

type Staff = Catalogue['staff'];

export const settings: Pick<Staff, 'settings' | 'language'> = {
  settings: {
    sectionsLabel: 'Secciones de la configuración',
    smsLocked: ', bloqueado: requiere el plan Accelerator',
    sections: {
      team: 'Equipo',
      inboxes: 'Bandejas',
      import: 'Importar pacientes',
      templates: 'Plantillas',
      public: 'Páginas públicas',
      campaigns: 'Campañas',
      webhooks: 'Webhooks',
      optouts: 'Pacientes dados de baja',
      sms: 'Bandeja de SMS bidireccional',
      notifications: 'Notificaciones',
      language: 'Idioma',
      plan: 'Plan y facturación',
      security: 'Seguridad',
      emergency: 'Acceso de emergencia',
      audit: 'Auditoría',
    },
  },
  language: {
    title: 'Idioma',
    intro: 'El idioma en el que Frontdesk le habla: la aplicación, sus fechas y números, y los correos que le envía. Los pacientes conservan su propio idioma.',
    label: 'Idioma',
    browser: 'El del navegador ({{language}})',
    saved: 'Guardado.',
  },
};

import type { Catalogue } from '../../shape.js';

type Staff = Catalogue['staff'];

export const app: Pick<Staff, 'app' | 'roles' | 'nav' | 'signIn'> = {
  app: {
    loading: 'Cargando…',
    idleSignedOut_one: 'Se cerró su sesión tras {{count}} minuto sin actividad.',
    idleSignedOut_other: 'Se cerró su sesión tras {{count}} minutos sin actividad.',
    enrolTitle: 'Active el inicio de sesión en dos pasos',
    enrolText: '{{organization}} exige un código de una aplicación de autenticación en cada inicio de sesión. Actívelo para continuar.',
    who: '{{name}} · {{role}}',
    sessionEnded: 'Su sesión terminó. Vuelva a iniciar sesión.',
    signOut: 'Cerrar sesión',
  },
  roles: { main_admin: 'administrador principal', admin: 'administrador', doctor: 'médico', nurse: 'enfermería', receptionist: 'recepción' },
  nav: {
    main: 'Principal',
    inbox: 'Bandeja',
    contacts: 'Contactos',
    reports: 'Informes',
    settings: 'Configuración',
    unread_one: '{{count}} conversación sin leer',
    unread_other: '{{count}} conversaciones sin leer',
  },
  signIn: {
    intro: 'Inicie sesión en la bandeja compartida de su clínica.',
    email: 'Correo electrónico',
    password: 'Contraseña',
    code: 'Código de su aplicación de autenticación (o un código de recuperación)',
    busy: 'Iniciando sesión…',
    submit: 'Iniciar sesión',
  },
};

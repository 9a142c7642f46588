/** The frame around every screen: sign-in, the top bar, the tabs, roles. */
export const app = {
  app: {
    loading: 'Loading…',
    idleSignedOut_one: 'You were signed out after {{count}} minute without activity.',
    idleSignedOut_other: 'You were signed out after {{count}} minutes without activity.',
    enrolTitle: 'Set up two-factor sign-in',
    enrolText: '{{organization}} requires a code from an authenticator app at every sign-in. Set it up to continue.',
    who: '{{name}} · {{role}}',
    sessionEnded: 'Your session ended. Please sign in again.',
    signOut: 'Sign out',
  },
  roles: { main_admin: 'main admin', admin: 'admin', doctor: 'doctor', nurse: 'nurse', receptionist: 'receptionist' },
  nav: {
    main: 'Main',
    inbox: 'Inbox',
    contacts: 'Contacts',
    reports: 'Reports',
    settings: 'Settings',
    unread_one: '{{count}} unread conversation',
    unread_other: '{{count}} unread conversations',
  },
  signIn: {
    intro: "Sign in to your clinic's shared inbox.",
    email: 'Email',
    password: 'Password',
    code: 'Code from your authenticator app (or a recovery code)',
    busy: 'Signing in…',
    submit: 'Sign in',
  },
};

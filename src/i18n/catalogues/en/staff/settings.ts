/** Settings: the sections, and each user's own language. */
export const settings = {
  settings: {
    sectionsLabel: 'Settings sections',
    smsLocked: ', locked: needs the Accelerator plan',
    sections: {
      team: 'Team',
      inboxes: 'Inboxes',
      import: 'Import patients',
      templates: 'Templates',
      public: 'Public pages',
      campaigns: 'Campaigns',
      webhooks: 'Webhooks',
      optouts: 'Opted-out patients',
      sms: 'Two-way SMS inbox',
      notifications: 'Notifications',
      language: 'Language',
      plan: 'Plan & billing',
      security: 'Security',
      emergency: 'Emergency access',
      audit: 'Audit',
    },
  },
  language: {
    title: 'Language',
    intro: 'The language Frontdesk speaks to you in: the app, its dates and numbers, and the emails it sends you. Patients keep their own language.',
    label: 'Language',
    browser: 'The browser’s ({{language}})',
    saved: 'Saved.',
  },
};

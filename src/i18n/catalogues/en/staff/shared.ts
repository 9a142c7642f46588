/** Words many screens share: channel names, delivery ticks, card kinds. */
export const shared = {
  channels: { sms: 'SMS', email: 'Email', whatsapp: 'WhatsApp', portal: 'Portal', web: 'Web', call: 'Call' },
  ticks: { queued: 'Queued', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Failed' },
  cards: {
    appointment: 'Appointment',
    invoice: 'Invoice',
    prescription: 'Prescription',
    treatment_plan: 'Treatment plan',
    form: 'Form',
    payment_request: 'Payment request',
    review_request: 'Review request',
  },
};

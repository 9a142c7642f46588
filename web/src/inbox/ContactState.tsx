import type { Thread } from '../shared/types';

type OptOutChannel = keyof Thread['optedOut'];

/** How a patient who opted out of a channel gets back onto it: the action staff can ask for. */
const optBackIn: Record<OptOutChannel, string> = {
  sms: 'Ask them to text START to the clinic’s number to opt back in, or write on another channel.',
  whatsapp: 'Ask them to send START on WhatsApp to opt back in, or write on another channel.',
  email: 'Ask them to opt back in to email (by phone or at the desk), or write on another channel.',
};
const channelNames: Record<OptOutChannel, string> = { sms: 'SMS', whatsapp: 'WhatsApp', email: 'email' };

export const isOptOutChannel = (channel: string): channel is OptOutChannel => channel in optBackIn;

/** Defect 5: a blocked contact, shown above the thread before anyone types, with the way out. */
export function BlockedState({ name, onUnblock }: { name: string; onUnblock: () => void }) {
  return (
    <div className="contact-state blocked" role="status">
      <p>
        <strong>{name} is blocked.</strong> Nothing can be sent to them and their private links do not work. Unblock them to write again.
      </p>
      <button type="button" className="secondary" aria-label={`Unblock ${name}`} onClick={onUnblock}>
        Unblock
      </button>
    </div>
  );
}

/** Defect 5: the contact opted out of the channel the composer is on: say so, and what to do. */
export function OptedOutState({ name, channel }: { name: string; channel: OptOutChannel }) {
  return (
    <p className="contact-state" role="status">
      <span>
        <strong>
          {name} opted out of {channelNames[channel]}.
        </strong>{' '}
        {optBackIn[channel]}
      </span>
    </p>
  );
}

/** The channels a contact opted out of, named for the thread's header. */
export function optedOutNames(optedOut: Thread['optedOut']): string[] {
  return (Object.keys(optedOut) as OptOutChannel[]).filter((c) => optedOut[c]).map((c) => channelNames[c]);
}

import { Trans, useTranslation } from 'react-i18next';
import { i18next } from '../shared/i18n';
import type { Thread } from '../shared/types';

type OptOutChannel = keyof Thread['optedOut'];

/** How a patient who opted out of a channel gets back onto it (contactState.optBackIn.* in the catalogue). */
const optOutChannels: OptOutChannel[] = ['sms', 'whatsapp', 'email'];

export const isOptOutChannel = (channel: string): channel is OptOutChannel => (optOutChannels as string[]).includes(channel);

/** Defect 5: a blocked contact, shown above the thread before anyone types, with the way out. */
export function BlockedState({ name, onUnblock }: { name: string; onUnblock: () => void }) {
  const { t } = useTranslation('staff');
  return (
    <div className="contact-state blocked" role="status">
      <p>
        <Trans t={t} i18nKey="contactState.blocked" values={{ name }} components={{ strong: <strong /> }} />
      </p>
      <button type="button" className="secondary" aria-label={t('contactState.unblockName', { name })} onClick={onUnblock}>
        {t('contactState.unblock')}
      </button>
    </div>
  );
}

/** Defect 5: the contact opted out of the channel the composer is on: say so, and what to do. */
export function OptedOutState({ name, channel }: { name: string; channel: OptOutChannel }) {
  const { t } = useTranslation('staff');
  return (
    <p className="contact-state" role="status">
      <span>
        <strong>{t('contactState.optedOut', { name, channel: t(`contactState.channel.${channel}`) })}</strong> {t(`contactState.optBackIn.${channel}`)}
      </span>
    </p>
  );
}

/** The channels a contact opted out of, named for the thread's header. */
export function optedOutNames(optedOut: Thread['optedOut']): string[] {
  return (Object.keys(optedOut) as OptOutChannel[]).filter((c) => optedOut[c]).map((c) => i18next.t(`staff:contactState.channel.${c}`));
}

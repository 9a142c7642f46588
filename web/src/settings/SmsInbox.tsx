import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { smsInboxMonthlyCents } from '../../../src/billing/rules';
import { api, post } from '../shared/api';
import { refusalSentence } from '../shared/errors';
import { locale, phone } from '../shared/format';
import { navigate } from '../shared/router';
import type { Me } from '../shared/types';

interface OwnedNumber {
  phoneNumber: string;
  friendlyName: string;
  smsCapable: boolean;
  currentWebhookHost: string | null;
}
interface Offered {
  phoneNumber: string;
  locality: string;
}
interface Status {
  enabled: boolean;
  phoneNumber: string | null;
  origin: 'bought' | 'brought' | null;
}

/** "$5", as seed 004 says it (the provider bills in US dollars), in the user's locale: "5 US$" in Spanish. */
const monthlyPrice = () => new Intl.NumberFormat(locale(), { style: 'currency', currency: 'USD', minimumFractionDigits: 0 }).format(smsInboxMonthlyCents / 100);
/** US and Canadian area codes: three digits, the first 2–9. */
const validAreaCode = (code: string) => /^[2-9]\d\d$/.test(code);

/** The plan as it is now: the Plan section's switch refreshes this query, so the page follows without a reload. */
export function useCurrentPlan(me: Me): string {
  const plan = useQuery({ queryKey: ['plan'], queryFn: () => api<{ plan: string }>('/api/v1/plan') });
  return plan.data?.plan ?? me.plan;
}

/** Seed 004: Settings → the SMS inbox — a toggle, the number by area code or one you have, a review, Finish Setup; off asks to confirm. */
export function SmsInbox({ me }: { me: Me }) {
  const { t } = useTranslation('staff');
  const monthly = monthlyPrice();
  const queryClient = useQueryClient();
  const plan = useCurrentPlan(me);
  const status = useQuery({ queryKey: ['sms-inbox'], queryFn: () => api<Status>('/api/v1/sms-inbox') });
  const [turningOn, setTurningOn] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const locked = plan !== 'accelerator';
  const isMain = me.role === 'main_admin';
  const enabled = Boolean(status.data?.enabled);

  async function run(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      await queryClient.invalidateQueries();
      return true;
    } catch (e) {
      setError(refusalSentence(e));
      return false;
    }
  }

  return (
    <>
      <h2>
        {t('settings.sections.sms')}{' '}
        {locked && (
          <span className="lock" aria-label={t('sms.locked')}>
            🔒 {t('sms.lockPlan')}
          </span>
        )}
      </h2>
      <p className="sub">{t('sms.intro', { price: monthly })}</p>
      {error && <p className="error" role="alert">{error}</p>}
      {isMain && status.data && (
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={enabled || turningOn}
            disabled={locked && !enabled}
            onChange={(e) => (e.target.checked ? setTurningOn(true) : enabled ? setConfirming(true) : setTurningOn(false))}
          />{' '}
          {t('settings.sections.sms')}
        </label>
      )}
      {locked && !enabled ? (
        <p>
          {t('sms.needsPlan')}{' '}
          <a href="/settings/plan" onClick={(e) => { e.preventDefault(); navigate('/settings/plan'); }}>
            {t('sms.seePlans')}
          </a>
          {isMain ? '.' : ` ${t('sms.mainAdminChanges')}`}
        </p>
      ) : enabled ? (
        <>
          <p>
            <Trans t={t} i18nKey={status.data!.origin === 'brought' ? 'sms.onOwn' : 'sms.on'} values={{ number: phone(status.data!.phoneNumber) }} components={{ strong: <strong /> }} />
          </p>
          {confirming && <ConfirmDisable brought={status.data!.origin === 'brought'} onKeep={() => setConfirming(false)} onDisable={() => run(() => post('/api/v1/sms-inbox/disable', { confirm: true })).then((ok) => ok && setConfirming(false))} />}
        </>
      ) : !isMain ? (
        <p>{t('sms.offNotMain')}</p>
      ) : turningOn ? (
        <Setup run={run} onDone={() => setTurningOn(false)} />
      ) : (
        <p>{t('sms.off')}</p>
      )}
    </>
  );
}

function ConfirmDisable({ brought, onKeep, onDisable }: { brought: boolean; onKeep: () => void; onDisable: () => void }) {
  const { t } = useTranslation('staff');
  return (
    <div className="confirm" role="alertdialog" aria-label={t('sms.confirmLabel')}>
      <p>{brought ? t('sms.confirmBrought') : t('sms.confirmBought')}</p>
      <button type="button" className="danger" onClick={onDisable}>
        {brought ? t('sms.detach') : t('sms.release')}
      </button>
      <button type="button" className="secondary" onClick={onKeep}>{t('actions.keep')}</button>
    </div>
  );
}

/** Choosing the number: by area code (Select, then Continue) or one the clinic has, then the review and Finish Setup. */
function Setup({ run, onDone }: { run: (action: () => Promise<unknown>) => Promise<boolean>; onDone: () => void }) {
  const { t } = useTranslation('staff');
  const monthly = monthlyPrice();
  const [source, setSource] = useState<'buy' | 'own'>('buy');
  const [areaCode, setAreaCode] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [reviewing, setReviewing] = useState<{ kind: 'buy'; number: string } | { kind: 'own'; number: OwnedNumber } | null>(null);
  const numbers = useQuery({ queryKey: ['sms-numbers', areaCode], queryFn: () => api<{ items: Offered[] }>(`/api/v1/sms-inbox/available-numbers?areaCode=${areaCode}`), enabled: validAreaCode(areaCode) && source === 'buy' });
  const owned = useQuery({ queryKey: ['sms-owned-numbers'], queryFn: () => api<{ items: OwnedNumber[] }>('/api/v1/sms-inbox/owned-numbers'), enabled: source === 'own' });

  if (reviewing?.kind === 'buy') {
    return (
      <div className="stack-form" role="dialog" aria-label={t('sms.reviewNew')}>
        <h3>{t('sms.newNumber', { number: phone(reviewing.number) })}</h3>
        <ul>
          <li>{t('sms.newFrom')}</li>
          <li><Trans t={t} i18nKey="sms.newPrice" values={{ price: monthly }} components={{ strong: <strong /> }} /></li>
          <li className="warning">⚠️ {t('sms.newWarning')}</li>
        </ul>
        <div className="buttons">
          <button type="button" onClick={() => void run(() => post('/api/v1/sms-inbox', { phoneNumber: reviewing.number })).then((ok) => ok && onDone())}>{t('sms.finish')}</button>
          <button type="button" className="secondary" onClick={() => setReviewing(null)}>{t('sms.back')}</button>
        </div>
      </div>
    );
  }
  if (reviewing?.kind === 'own') {
    const n = reviewing.number;
    return (
      <div className="stack-form" role="dialog" aria-label={t('sms.reviewOwn')}>
        <h3>{t('sms.use', { number: phone(n.phoneNumber), name: n.friendlyName })}</h3>
        <ul>
          <li>{n.currentWebhookHost ? <Trans t={t} i18nKey="sms.ownInsteadOf" values={{ host: n.currentWebhookHost }} components={{ strong: <strong /> }} /> : t('sms.ownTo')}</li>
          <li>{t('sms.ownPrice', { price: monthly })}</li>
          <li>{t('sms.ownStays')}</li>
        </ul>
        <div className="buttons">
          <button type="button" onClick={() => void run(() => post('/api/v1/sms-inbox/connect', { phoneNumber: n.phoneNumber })).then((ok) => ok && onDone())}>{t('sms.connect', { number: n.phoneNumber })}</button>
          <button type="button" className="secondary" onClick={() => setReviewing(null)}>{t('sms.back')}</button>
        </div>
      </div>
    );
  }
  const badAreaCode = areaCode.length === 3 && !validAreaCode(areaCode);
  return (
    <>
      <fieldset className="choice">
        <legend>{t('sms.which')}</legend>
        <label className="check"><input type="radio" name="sms-source" checked={source === 'buy'} onChange={() => setSource('buy')} /> {t('sms.buy')}</label>
        <label className="check"><input type="radio" name="sms-source" checked={source === 'own'} onChange={() => setSource('own')} /> {t('sms.own')}</label>
      </fieldset>
      {source === 'buy' ? (
        <>
          <label>
            {t('sms.areaCode')}{' '}
            <input value={areaCode} onChange={(e) => { setSelected(null); setAreaCode(e.target.value.replace(/\D/g, '').slice(0, 3)); }} inputMode="numeric" placeholder="415" aria-invalid={badAreaCode} aria-describedby="area-code-help" />
          </label>
          <p id="area-code-help" className={badAreaCode ? 'error' : 'sub'} role={badAreaCode ? 'alert' : undefined}>
            {badAreaCode ? t('sms.badAreaCode', { code: areaCode }) : t('sms.areaCodeHint')}
          </p>
          {numbers.isError && <p className="error" role="alert">{refusalSentence(numbers.error)}</p>}
          {numbers.data && numbers.data.items.length === 0 && <p className="sub">{t('sms.noneFree', { code: areaCode })}</p>}
          <ul className="numbers" aria-label={t('sms.choose')}>
            {(numbers.data?.items ?? []).map((n) => (
              <li key={n.phoneNumber} className={n.phoneNumber === selected ? 'selected' : ''}>
                {phone(n.phoneNumber)} <span className="sub">{n.locality}</span>{' '}
                <button type="button" className={n.phoneNumber === selected ? '' : 'secondary'} aria-pressed={n.phoneNumber === selected} onClick={() => setSelected(n.phoneNumber)}>
                  {n.phoneNumber === selected ? t('sms.selected') : t('sms.select')}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" disabled={!selected} onClick={() => selected && setReviewing({ kind: 'buy', number: selected })}>{t('sms.continue')}</button>
        </>
      ) : owned.error ? (
        <p className="error" role="alert">{refusalSentence(owned.error)}</p>
      ) : (
        <ul className="numbers" aria-label={t('sms.yours')}>
          {(owned.data?.items ?? []).map((n) => (
            <li key={n.phoneNumber}>
              {n.phoneNumber} <span className="sub">{n.currentWebhookHost ? t('sms.nowGoesTo', { name: n.friendlyName, host: n.currentWebhookHost }) : n.friendlyName}</span>{' '}
              {n.smsCapable ? <button type="button" onClick={() => setReviewing({ kind: 'own', number: n })}>{t('sms.useThis')}</button> : <span className="sub">{t('sms.cannotText')}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { smsInboxMonthlyCents } from '../../../src/billing/rules';
import { api, post } from '../shared/api';
import { refusalSentence } from '../shared/errors';
import { phone } from '../shared/format';
import { keys } from '../shared/queryKeys';
import { navigate } from '../shared/router';
import { useAction } from '../shared/useAction';
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

/** "$5", as seed 004 says it. */
const monthly = `$${smsInboxMonthlyCents / 100}`;
/** US and Canadian area codes: three digits, the first 2–9. */
const validAreaCode = (code: string) => /^[2-9]\d\d$/.test(code);

/** The plan as it is now: the Plan section's switch refreshes this query, so the page follows without a reload. */
export function useCurrentPlan(me: Me): string {
  const plan = useQuery({ queryKey: keys.plan(), queryFn: () => api<{ plan: string }>('/api/v1/plan') });
  return plan.data?.plan ?? me.plan;
}

/** Seed 004: Settings → the SMS inbox — a toggle, the number by area code or one you have, a review, Finish Setup; off asks to confirm. */
export function SmsInbox({ me }: { me: Me }) {
  const plan = useCurrentPlan(me);
  const status = useQuery({ queryKey: keys.smsInbox.status(), queryFn: () => api<Status>('/api/v1/sms-inbox') });
  const [turningOn, setTurningOn] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // The number, the SMS inbox it makes, and the bill's line for it.
  const action = useAction([keys.smsInbox.all, keys.inboxes(), keys.plan(), keys.billingCharges()]);
  const error = action.error;
  const locked = plan !== 'accelerator';
  const isMain = me.role === 'main_admin';
  const enabled = Boolean(status.data?.enabled);

  const run = async (change: () => Promise<unknown>) => (await action.run(async () => (await change(), true))) === true;

  return (
    <>
      <h2>
        Two-way SMS inbox{' '}
        {locked && (
          <span className="lock" aria-label="Locked: needs the Accelerator plan">
            🔒 Accelerator plan
          </span>
        )}
      </h2>
      <p className="sub">A number for texting patients — a new one, or the one they already know — and their replies land in the inbox. {monthly} per month on your bill.</p>
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
          Two-way SMS inbox
        </label>
      )}
      {locked && !enabled ? (
        <p>
          Two-way texting is part of the Accelerator plan.{' '}
          <a href="/settings/plan" onClick={(e) => { e.preventDefault(); navigate('/settings/plan'); }}>
            See the plans and upgrade
          </a>
          {isMain ? '' : ' (the main admin can change the plan)'}.
        </p>
      ) : enabled ? (
        <>
          <p>
            On, with <strong>{phone(status.data!.phoneNumber)}</strong>
            {status.data!.origin === 'brought' ? ' (your own number)' : ''}. Patients can text it; keep it on your website and socials so they can find it.
          </p>
          {confirming && <ConfirmDisable brought={status.data!.origin === 'brought'} onKeep={() => setConfirming(false)} onDisable={() => run(() => post('/api/v1/sms-inbox/disable', { confirm: true })).then((ok) => ok && setConfirming(false))} />}
        </>
      ) : !isMain ? (
        <p>Off. Only the main admin can turn it on.</p>
      ) : turningOn ? (
        <Setup run={run} onDone={() => setTurningOn(false)} />
      ) : (
        <p>Off. Switch it on to choose the clinic’s number.</p>
      )}
    </>
  );
}

function ConfirmDisable({ brought, onKeep, onDisable }: { brought: boolean; onKeep: () => void; onDisable: () => void }) {
  return (
    <div className="confirm" role="alertdialog" aria-label="Confirm disabling">
      <p>
        {brought
          ? 'Disabling takes Frontdesk off this number: texts to it stop coming here. The number stays yours in your Twilio account — it is not released — and you can connect it again. The old texts are hidden from everyone (kept for the record).'
          : 'Disabling releases this number for good and hides the old texts from everyone (they are kept for the record). You will not be able to reinstate it: enabling again needs a new number.'}
      </p>
      <button type="button" className="danger" onClick={onDisable}>
        {brought ? 'Disable and detach the number' : 'Disable and release the number'}
      </button>
      <button type="button" className="secondary" onClick={onKeep}>Keep it</button>
    </div>
  );
}

/** Choosing the number: by area code (Select, then Continue) or one the clinic has, then the review and Finish Setup. */
function Setup({ run, onDone }: { run: (action: () => Promise<unknown>) => Promise<boolean>; onDone: () => void }) {
  const [source, setSource] = useState<'buy' | 'own'>('buy');
  const [areaCode, setAreaCode] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [reviewing, setReviewing] = useState<{ kind: 'buy'; number: string } | { kind: 'own'; number: OwnedNumber } | null>(null);
  const numbers = useQuery({ queryKey: keys.smsInbox.available(areaCode), queryFn: () => api<{ items: Offered[] }>(`/api/v1/sms-inbox/available-numbers?areaCode=${areaCode}`), enabled: validAreaCode(areaCode) && source === 'buy' });
  const owned = useQuery({ queryKey: keys.smsInbox.owned(), queryFn: () => api<{ items: OwnedNumber[] }>('/api/v1/sms-inbox/owned-numbers'), enabled: source === 'own' });

  if (reviewing?.kind === 'buy') {
    return (
      <div className="stack-form" role="dialog" aria-label="Review your new number">
        <h3>Your new number: {phone(reviewing.number)}</h3>
        <ul>
          <li>All texts to patients will come from this number, and their replies land in the inbox.</li>
          <li><strong>{monthly} per month on your bill</strong>, from today, on top of the Accelerator plan.</li>
          <li className="warning">⚠️ If you disable the inbox later, this number is released for good and cannot be reinstated: enabling again needs a new number.</li>
        </ul>
        <div className="buttons">
          <button type="button" onClick={() => void run(() => post('/api/v1/sms-inbox', { phoneNumber: reviewing.number })).then((ok) => ok && onDone())}>Finish Setup</button>
          <button type="button" className="secondary" onClick={() => setReviewing(null)}>Back</button>
        </div>
      </div>
    );
  }
  if (reviewing?.kind === 'own') {
    const n = reviewing.number;
    return (
      <div className="stack-form" role="dialog" aria-label="Review the number">
        <h3>Use {phone(n.phoneNumber)} ({n.friendlyName})</h3>
        <ul>
          <li>Texts patients send to this number will come to this inbox{n.currentWebhookHost ? <> instead of <strong>{n.currentWebhookHost}</strong></> : ''}; your team answers from it.</li>
          <li>Same plan and price as a new number: the Accelerator plan, and {monthly} per month for the inbox, from today.</li>
          <li>The number stays yours. Disabling the inbox later only takes Frontdesk off it; it is never released.</li>
        </ul>
        <div className="buttons">
          <button type="button" onClick={() => void run(() => post('/api/v1/sms-inbox/connect', { phoneNumber: n.phoneNumber })).then((ok) => ok && onDone())}>Connect {n.phoneNumber}</button>
          <button type="button" className="secondary" onClick={() => setReviewing(null)}>Back</button>
        </div>
      </div>
    );
  }
  const badAreaCode = areaCode.length === 3 && !validAreaCode(areaCode);
  return (
    <>
      <fieldset className="choice">
        <legend>Which number?</legend>
        <label className="check"><input type="radio" name="sms-source" checked={source === 'buy'} onChange={() => setSource('buy')} /> A new number</label>
        <label className="check"><input type="radio" name="sms-source" checked={source === 'own'} onChange={() => setSource('own')} /> A number you already have in your Twilio account</label>
      </fieldset>
      {source === 'buy' ? (
        <>
          <label>
            Area code{' '}
            <input value={areaCode} onChange={(e) => { setSelected(null); setAreaCode(e.target.value.replace(/\D/g, '').slice(0, 3)); }} inputMode="numeric" placeholder="415" aria-invalid={badAreaCode} aria-describedby="area-code-help" />
          </label>
          <p id="area-code-help" className={badAreaCode ? 'error' : 'sub'} role={badAreaCode ? 'alert' : undefined}>
            {badAreaCode ? `${areaCode} is not an area code: US and Canadian area codes have three digits and do not start with 0 or 1 (for example 415). Check it and type it again.` : 'Type your area code to see numbers your patients will recognise.'}
          </p>
          {numbers.isError && <p className="error" role="alert">{refusalSentence(numbers.error)}</p>}
          {numbers.data && numbers.data.items.length === 0 && <p className="sub">No numbers are free in {areaCode} right now. Try a neighbouring area code.</p>}
          <ul className="numbers" aria-label="Numbers you can choose">
            {(numbers.data?.items ?? []).map((n) => (
              <li key={n.phoneNumber} className={n.phoneNumber === selected ? 'selected' : ''}>
                {phone(n.phoneNumber)} <span className="sub">{n.locality}</span>{' '}
                <button type="button" className={n.phoneNumber === selected ? '' : 'secondary'} aria-pressed={n.phoneNumber === selected} onClick={() => setSelected(n.phoneNumber)}>
                  {n.phoneNumber === selected ? 'Selected' : 'Select'}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" disabled={!selected} onClick={() => selected && setReviewing({ kind: 'buy', number: selected })}>Continue</button>
        </>
      ) : owned.error ? (
        <p className="error" role="alert">{refusalSentence(owned.error)}</p>
      ) : (
        <ul className="numbers" aria-label="Your numbers">
          {(owned.data?.items ?? []).map((n) => (
            <li key={n.phoneNumber}>
              {n.phoneNumber} <span className="sub">{n.friendlyName}{n.currentWebhookHost ? ` — texts now go to ${n.currentWebhookHost}` : ''}</span>{' '}
              {n.smsCapable ? <button type="button" onClick={() => setReviewing({ kind: 'own', number: n })}>Use this number</button> : <span className="sub">cannot text</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

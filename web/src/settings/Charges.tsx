import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api';
import { money, when } from '../shared/format';

interface Charge {
  id: string;
  description: string;
  amountCents: number;
  interval: 'month' | 'once';
  active: boolean;
  startedAt: string;
  endedAt: string | null;
}

/** Seed 004: what is on the bill besides the plan — the SMS inbox's $5 a month among it. */
export function Charges() {
  const { t } = useTranslation('staff');
  const charges = useQuery({ queryKey: ['billing-charges'], queryFn: () => api<{ items: Charge[] }>('/api/v1/billing/charges') });
  const items = charges.data?.items ?? [];
  return (
    <section aria-labelledby="charges-title">
      <h3 id="charges-title">{t('charges.title')}</h3>
      {items.length === 0 ? (
        <p className="sub">{t('charges.none')}</p>
      ) : (
        <table className="report">
          <thead><tr><th scope="col">{t('charges.what')}</th><th scope="col">{t('charges.amount')}</th><th scope="col">{t('charges.since')}</th><th scope="col">{t('inbox.filters.status')}</th></tr></thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>{c.description}</td>
                <td>{t(c.interval === 'month' ? 'charges.perMonth' : 'charges.once', { amount: money(c.amountCents) })}</td>
                <td>{when(c.startedAt)}</td>
                <td>{c.active ? t('charges.active') : c.endedAt ? t('charges.endedAt', { when: when(c.endedAt) }) : t('charges.ended')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

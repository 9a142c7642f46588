import { useQuery } from '@tanstack/react-query';
import { formatAmount } from '../../../src/artifacts/rules';
import { api } from '../shared/api';
import { when } from '../shared/format';
import { keys } from '../shared/queryKeys';

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
  const charges = useQuery({ queryKey: keys.billingCharges(), queryFn: () => api<{ items: Charge[] }>('/api/v1/billing/charges') });
  const items = charges.data?.items ?? [];
  return (
    <section aria-labelledby="charges-title">
      <h3 id="charges-title">Charges on your bill</h3>
      {items.length === 0 ? (
        <p className="sub">Nothing besides the plan.</p>
      ) : (
        <table className="report">
          <thead><tr><th scope="col">What</th><th scope="col">Amount</th><th scope="col">Since</th><th scope="col">Status</th></tr></thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>{c.description}</td>
                <td>{formatAmount(c.amountCents)}{c.interval === 'month' ? ' per month' : ' once'}</td>
                <td>{when(c.startedAt)}</td>
                <td>{c.active ? 'Active' : `Ended ${c.endedAt ? when(c.endedAt) : ''}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { api } from './api';
import { channelLabels } from './logic';
import type { Channel } from './types';

interface Row {
  conversations: number;
  converted: number;
  rate: number;
}
interface Report {
  from: string;
  to: string;
  total: Row;
  byChannel: (Row & { channel: Channel })[];
  byMonth: (Row & { month: string })[];
}

const percent = (r: number) => `${(r * 100).toFixed(1)}%`;

/** P3: which conversations led to bookings — the conversion rate by channel and by month. */
export function ReportsPage() {
  const report = useQuery({ queryKey: ['conversions'], queryFn: () => api<Report>('/api/v1/reports/conversions') });
  if (report.isLoading) return <p className="loading">Loading…</p>;
  if (report.isError) return <p className="empty" role="alert">{(report.error as Error).message}</p>;
  const r = report.data!;
  return (
    <main className="contact-page">
      <h1>Conversion</h1>
      <p>
        From {r.from} to {r.to}: <strong>{r.total.converted}</strong> of {r.total.conversations} new conversations led to a booking ({percent(r.total.rate)}).
      </p>
      <h2>By first channel</h2>
      <ReportTable label="Channel" rows={r.byChannel.map((x) => ({ key: channelLabels[x.channel] ?? x.channel, ...x }))} />
      <h2>By month</h2>
      <ReportTable label="Month" rows={r.byMonth.map((x) => ({ key: x.month, ...x }))} />
    </main>
  );
}

function ReportTable({ label, rows }: { label: string; rows: (Row & { key: string })[] }) {
  return (
    <table className="report">
      <thead><tr><th scope="col">{label}</th><th scope="col">Conversations</th><th scope="col">Led to a booking</th><th scope="col">Rate</th></tr></thead>
      <tbody>
        {rows.map((x) => (
          <tr key={x.key}><th scope="row">{x.key}</th><td>{x.conversations}</td><td>{x.converted}</td><td>{percent(x.rate)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

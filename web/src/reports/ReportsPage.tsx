import { useQuery } from '@tanstack/react-query';
import { api } from '../shared/api';
import { channelLabels, waitText } from '../shared/logic';
import type { Channel, Ok } from '../shared/types';
import { refusalSentence } from '../shared/errors';
import { keys } from '../shared/queryKeys';

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
  const report = useQuery({ queryKey: keys.reports.conversions(), queryFn: () => api<Report>('/api/v1/reports/conversions') });
  if (report.isLoading) return <p className="loading">Loading…</p>;
  if (report.isError) return <p className="empty" role="alert">{refusalSentence(report.error)}</p>;
  const r = report.data!;
  return (
    <main className="contact-page">
      <h1>Reports</h1>
      <h2>Conversion</h2>
      <p>
        From {r.from} to {r.to}: <strong>{r.total.converted}</strong> of {r.total.conversations} new conversations led to a booking ({percent(r.total.rate)}).
      </p>
      <h3>By first channel</h3>
      <ReportTable label="Channel" rows={r.byChannel.map((x) => ({ key: channelLabels[x.channel] ?? x.channel, ...x }))} />
      <h3>By month</h3>
      <ReportTable label="Month" rows={r.byMonth.map((x) => ({ key: x.month, ...x }))} />
      <ResponseTimes />
    </main>
  );
}

interface TimeRow {
  id: string;
  name: string;
  conversations: number;
  medianSeconds: number | null;
}

const waited = (s: number | null) => (s === null ? '—' : waitText(s));

/** B2: the median time to a first answer this month. */
function ResponseTimes() {
  const report = useQuery({
    queryKey: keys.reports.responseTimes(),
    queryFn: () => api<Ok<'getReportsResponseTimes'>>('/api/v1/reports/response-times'),
  });
  if (!report.data) return null;
  const r = report.data;
  const table = (label: string, rows: TimeRow[]) => (
    <table className="report">
      <thead><tr><th scope="col">{label}</th><th scope="col">First answers</th><th scope="col">Median wait</th></tr></thead>
      <tbody>{rows.map((x) => <tr key={x.id}><th scope="row">{label === 'Channel' ? (channelLabels[x.name as Channel] ?? x.name) : x.name}</th><td>{x.conversations}</td><td>{waited(x.medianSeconds)}</td></tr>)}</tbody>
    </table>
  );
  return (
    <>
      <h2>Response times</h2>
      <p>In {r.from}: {r.overall.conversations} first answers, median wait <strong>{waited(r.overall.medianSeconds)}</strong>.</p>
      <h3>By clinic</h3>
      {table('Clinic', r.byClinic)}
      <h3>By channel</h3>
      {table('Channel', r.byChannel)}
      <h3>By team member</h3>
      {table('Team member', r.byStaff)}
    </>
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

import { useQuery } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { api } from '../shared/api';
import { channelLabel } from '../shared/logic';
import { locale, number, waitText } from '../shared/format';
import type { Channel } from '../shared/types';
import { refusalSentence } from '../shared/errors';

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

const percent = (r: number) => new Intl.NumberFormat(locale(), { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(r);

/** A report's day ("2026-03-02") or month ("2026-03") as the user's locale writes it; anything else as it came. */
function period(text: string): string {
  const month = /^\d{4}-\d{2}$/.test(text);
  if (!month && !/^\d{4}-\d{2}-\d{2}/.test(text)) return text;
  const at = new Date(month ? `${text}-01T00:00:00Z` : text.length === 10 ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(at.getTime())) return text;
  return new Intl.DateTimeFormat(locale(), month ? { year: 'numeric', month: 'long', timeZone: 'UTC' } : { dateStyle: 'medium', timeZone: 'UTC' }).format(at);
}

/** P3: which conversations led to bookings — the conversion rate by channel and by month. */
export function ReportsPage() {
  const { t } = useTranslation('staff');
  const report = useQuery({ queryKey: ['conversions'], queryFn: () => api<Report>('/api/v1/reports/conversions') });
  if (report.isLoading) return <p className="loading">{t('app.loading')}</p>;
  if (report.isError) return <p className="empty" role="alert">{refusalSentence(report.error)}</p>;
  const r = report.data!;
  return (
    <main className="contact-page">
      <h1>{t('nav.reports')}</h1>
      <h2>{t('reports.conversion')}</h2>
      <p>
        <Trans t={t} i18nKey="reports.conversionText" count={r.total.conversations} values={{ from: period(r.from), to: period(r.to), converted: number(r.total.converted), conversations: number(r.total.conversations), rate: percent(r.total.rate) }} components={{ strong: <strong /> }} />
      </p>
      <h3>{t('reports.byFirstChannel')}</h3>
      <ReportTable label={t('inbox.filters.channel')} rows={r.byChannel.map((x) => ({ key: channelLabel(x.channel) ?? x.channel, ...x }))} />
      <h3>{t('reports.byMonth')}</h3>
      <ReportTable label={t('reports.month')} rows={r.byMonth.map((x) => ({ key: period(x.month), ...x }))} />
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
  const { t } = useTranslation('staff');
  const report = useQuery({
    queryKey: ['response-times'],
    queryFn: () => api<{ from: string; overall: { conversations: number; medianSeconds: number | null }; byClinic: TimeRow[]; byChannel: TimeRow[]; byStaff: TimeRow[] }>('/api/v1/reports/response-times'),
  });
  if (!report.data) return null;
  const r = report.data;
  const table = (label: string, rows: TimeRow[], channels = false) => (
    <table className="report">
      <thead><tr><th scope="col">{label}</th><th scope="col">{t('reports.firstAnswers')}</th><th scope="col">{t('reports.medianWait')}</th></tr></thead>
      <tbody>{rows.map((x) => <tr key={x.id}><th scope="row">{channels ? (channelLabel(x.name as Channel) ?? x.name) : x.name}</th><td>{number(x.conversations)}</td><td>{waited(x.medianSeconds)}</td></tr>)}</tbody>
    </table>
  );
  return (
    <>
      <h2>{t('reports.responseTimes')}</h2>
      <p>
        <Trans t={t} i18nKey="reports.responseText" count={r.overall.conversations} values={{ period: period(r.from), answers: number(r.overall.conversations), wait: waited(r.overall.medianSeconds) }} components={{ strong: <strong /> }} />
      </p>
      <h3>{t('reports.byClinic')}</h3>
      {table(t('inbox.clinic'), r.byClinic)}
      <h3>{t('reports.byChannel')}</h3>
      {table(t('inbox.filters.channel'), r.byChannel, true)}
      <h3>{t('reports.byTeamMember')}</h3>
      {table(t('reports.teamMember'), r.byStaff)}
    </>
  );
}

function ReportTable({ label, rows }: { label: string; rows: (Row & { key: string })[] }) {
  const { t } = useTranslation('staff');
  return (
    <table className="report">
      <thead><tr><th scope="col">{label}</th><th scope="col">{t('list.label')}</th><th scope="col">{t('reports.ledToBooking')}</th><th scope="col">{t('reports.rate')}</th></tr></thead>
      <tbody>
        {rows.map((x) => (
          <tr key={x.key}><th scope="row">{x.key}</th><td>{number(x.conversations)}</td><td>{number(x.converted)}</td><td>{percent(x.rate)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

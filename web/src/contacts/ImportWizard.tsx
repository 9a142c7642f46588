/**
 * Settings → Import patients (issue 22): upload a CSV, map its columns with a preview, check it (a
 * dry run naming every row it would refuse and why), then import it with a progress bar.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type ChangeEvent } from 'react';
import { uploadWithProgress } from '../shared/api';
import { refusalSentence } from '../shared/errors';
import { keys } from '../shared/queryKeys';

type Field =
  | 'name'
  | 'firstName'
  | 'lastName'
  | 'phone'
  | 'email'
  | 'dateOfBirth'
  | 'externalId'
  | 'type'
  | 'preferredChannel'
  | 'optedOutSms'
  | 'optedOutEmail'
  | 'optedOutWhatsapp';
type Mapping = Partial<Record<Field, string>>;
type Kind = 'contacts' | 'opt_outs';

interface Report {
  dryRun: boolean;
  importId: string | null;
  columns: string[];
  mapping: Mapping;
  mappingProblem: string | null;
  sample: string[][];
  totals: { rows: number; created: number; updated: number; unchanged: number; refused: number; optedOut: number };
  refused: { line: number; reasons: string[] }[];
}

const fieldLabels: Record<Field, string> = {
  name: 'Full name',
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Mobile phone',
  email: 'Email',
  dateOfBirth: 'Date of birth',
  externalId: 'Patient ID (practice system)',
  type: 'Patient or lead',
  preferredChannel: 'Preferred channel',
  optedOutSms: 'Opted out of texts',
  optedOutEmail: 'Opted out of email',
  optedOutWhatsapp: 'Opted out of WhatsApp',
};
const fieldsFor: Record<Kind, Field[]> = {
  contacts: Object.keys(fieldLabels) as Field[],
  opt_outs: ['phone', 'email', 'name'],
};

type Step = 'upload' | 'map' | 'check' | 'importing' | 'done';

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

export function ImportWizard() {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Kind>('contacts');
  const [file, setFile] = useState<File | null>(null);
  const [step, setStep] = useState<Step>('upload');
  const [report, setReport] = useState<Report | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [progress, setProgress] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function send(chosen: File, fields: { mapping?: Mapping; dryRun: boolean }, onProgress?: (share: number) => void): Promise<Report | null> {
    const form = new FormData();
    if (fields.mapping) form.append('mapping', JSON.stringify(fields.mapping));
    form.append('kind', kind);
    form.append('dryRun', String(fields.dryRun));
    form.append('file', chosen);
    setError(null);
    setBusy(true);
    try {
      return await uploadWithProgress<Report>('/api/v1/contacts/import', form, onProgress);
    } catch (e) {
      setError(refusalSentence(e));
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function choose(e: ChangeEvent<HTMLInputElement>) {
    const chosen = e.target.files?.[0] ?? null;
    setFile(chosen);
    if (!chosen) return;
    const first = await send(chosen, { dryRun: true });
    if (!first) return;
    setReport(first);
    setMapping(first.mapping);
    setStep('map');
  }

  async function check() {
    const checked = await send(file!, { mapping, dryRun: true });
    if (!checked) return;
    setReport(checked);
    setStep(checked.mappingProblem ? 'map' : 'check');
  }

  async function run() {
    setStep('importing');
    setProgress(0);
    const done = await send(file!, { mapping, dryRun: false }, setProgress);
    if (!done) {
      setStep('check');
      return;
    }
    setReport(done);
    setStep('done');
    // New and updated contacts, and the names and types the inbox's rows show for them.
    await Promise.all([queryClient.invalidateQueries({ queryKey: keys.contacts.all }), queryClient.invalidateQueries({ queryKey: keys.conversations.all })]);
  }

  function restart() {
    setFile(null);
    setReport(null);
    setMapping({});
    setStep('upload');
  }

  return (
    <>
      <h2>Import patients</h2>
      <p className="sub">
        Bring your patient list or your opt-out list from your practice system or messaging vendor as a CSV file. Patients already here are matched by patient ID, phone
        or email and never added twice; importing the same file again changes nothing. Opt-outs are honoured at once and an import never removes one.
      </p>
      <ol className="steps" aria-label="Import steps">
        {(['Upload', 'Match columns', 'Check', 'Import'] as const).map((label, i) => (
          <li key={label} aria-current={['upload', 'map', 'check', 'importing'].indexOf(step === 'done' ? 'importing' : step) === i ? 'step' : undefined}>
            {label}
          </li>
        ))}
      </ol>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      {step === 'upload' && (
        <div className="stack-form">
          <fieldset className="choice">
            <legend>What is in the file?</legend>
            <label className="check">
              <input type="radio" name="kind" checked={kind === 'contacts'} onChange={() => setKind('contacts')} /> Patients (names, phones, emails…)
            </label>
            <label className="check">
              <input type="radio" name="kind" checked={kind === 'opt_outs'} onChange={() => setKind('opt_outs')} /> Opted-out numbers (everyone in it gets no texts)
            </label>
          </fieldset>
          <label>
            CSV file
            <input type="file" accept=".csv,text/csv" onChange={choose} disabled={busy} />
          </label>
          {busy && <p className="sub">Reading the file…</p>}
        </div>
      )}

      {step === 'map' && report && (
        <>
          <h3>Match the columns of {file?.name}</h3>
          <p className="sub">We guessed from the column names; change any that are wrong. Leave a field on “not in the file” if you don’t have it.</p>
          {report.mappingProblem && (
            <p className="error" role="alert">
              {report.mappingProblem}
            </p>
          )}
          <div className="mapping">
            {fieldsFor[kind].map((field) => (
              <div key={field}>
                <label htmlFor={`map-${field}`}>{fieldLabels[field]}</label>
                <select id={`map-${field}`} value={mapping[field] ?? ''} onChange={(e) => setMapping({ ...mapping, [field]: e.target.value || undefined })}>
                  <option value="">— not in the file —</option>
                  {report.columns.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </div>
            ))}
          </div>
          <Preview report={report} mapping={mapping} fields={fieldsFor[kind]} />
          <div className="buttons">
            <button type="button" onClick={check} disabled={busy}>
              {busy ? 'Checking…' : 'Check the file'}
            </button>
            <button type="button" className="secondary" onClick={restart}>
              Choose another file
            </button>
          </div>
        </>
      )}

      {step === 'check' && report && (
        <>
          <h3>Check before importing</h3>
          <Totals report={report} />
          {report.totals.refused > 0 ? (
            <>
              <h4>{plural(report.totals.refused, 'row')} will not be imported</h4>
              <p className="sub">Fix them in the file and import it again later: the rows imported now will not be added twice.</p>
              <div className="scroll" tabIndex={0} role="region" aria-label="Refused rows, scrollable">
                <table className="grid" aria-label="Rows that will not be imported">
                  <thead>
                    <tr>
                      <th scope="col">Line</th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.refused.map((r) => (
                      <tr key={r.line}>
                        <td>{r.line}</td>
                        <td>{r.reasons.join('; ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {report.refused.length < report.totals.refused && <p className="sub">The first {report.refused.length.toLocaleString()} are listed.</p>}
            </>
          ) : (
            <p>Every row can be imported.</p>
          )}
          <div className="buttons">
            <button type="button" onClick={run} disabled={busy || report.totals.rows === report.totals.refused}>
              Import {plural(report.totals.rows - report.totals.refused, 'row')}
            </button>
            <button type="button" className="secondary" onClick={() => setStep('map')}>
              Back to the columns
            </button>
          </div>
        </>
      )}

      {step === 'importing' && (
        <div className="stack-form">
          <label>
            Importing {file?.name}
            <progress max={1} value={progress} aria-valuetext={`${Math.round(progress * 100)}%`} />
          </label>
          <p className="sub">{progress < 1 ? `${Math.round(progress * 100)}% sent` : 'Finishing…'} Keep this page open.</p>
        </div>
      )}

      {step === 'done' && report && (
        <div className="stack-form" role="status">
          <h3>Import finished</h3>
          <Totals report={report} />
          <button type="button" onClick={restart}>
            Import another file
          </button>
        </div>
      )}

      <h3>Export</h3>
      <p className="sub">Your data is yours: take it to another system or keep a copy. Each download is recorded in the audit log.</p>
      <ul className="downloads">
        <li><a href="/api/v1/exports/contacts" download>Contacts (CSV, the same columns as the import)</a></li>
        <li><a href="/api/v1/exports/conversations?format=json" download>Conversations (JSON)</a></li>
        <li><a href="/api/v1/exports/conversations?format=fhir" download>Conversations (FHIR R4 Bundle)</a></li>
      </ul>
    </>
  );
}

function Totals({ report }: { report: Report }) {
  const t = report.totals;
  const verb = (n: number) => (report.dryRun ? 'will be' : n === 1 ? 'was' : 'were');
  const lines: [number, string][] = [
    [t.created, `new ${t.created === 1 ? 'contact' : 'contacts'} ${verb(t.created)} added`],
    [t.updated, `existing ${t.updated === 1 ? 'contact' : 'contacts'} ${verb(t.updated)} given missing details`],
    [t.unchanged, 'already up to date'],
    [t.optedOut, `${verb(t.optedOut)} opted out`],
    [t.refused, `${t.refused === 1 ? 'row' : 'rows'} refused`],
  ];
  return (
    <ul className="totals">
      {lines.map(([n, text]) => (
        <li key={text}>
          <strong>{n.toLocaleString()}</strong> {text}
        </li>
      ))}
    </ul>
  );
}

function Preview({ report, mapping, fields }: { report: Report; mapping: Mapping; fields: Field[] }) {
  const shown = fields.filter((f) => mapping[f]);
  if (!shown.length || !report.sample.length) return null;
  const cell = (row: string[], field: Field) => row[report.columns.indexOf(mapping[field]!)] ?? '';
  return (
    <div className="scroll" tabIndex={0} role="region" aria-label="Preview, scrollable">
      <table className="grid" aria-label="Preview of the first rows">
        <caption className="sub">The first {plural(report.sample.length, 'row')} of the file</caption>
        <thead>
          <tr>
            {shown.map((f) => (
              <th key={f} scope="col">
                {fieldLabels[f]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.sample.map((row, i) => (
            <tr key={i}>
              {shown.map((f) => (
                <td key={f}>{cell(row, f)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

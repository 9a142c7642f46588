/**
 * Settings → Import patients (issue 22): upload a CSV, map its columns with a preview, check it (a
 * dry run naming every row it would refuse and why), then import it with a progress bar.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { i18next } from '../shared/i18n';
import { locale, number } from '../shared/format';
import { useState, type ChangeEvent } from 'react';
import { uploadWithProgress } from '../shared/api';
import { refusalSentence } from '../shared/errors';

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

/** Each field's name for people: importer.fields.* in the catalogue. */
const fieldLabel = (field: Field) => i18next.t(`staff:importer.fields.${field}`);
const fieldNames: Field[] = ['name', 'firstName', 'lastName', 'phone', 'email', 'dateOfBirth', 'externalId', 'type', 'preferredChannel', 'optedOutSms', 'optedOutEmail', 'optedOutWhatsapp'];
const fieldsFor: Record<Kind, Field[]> = {
  contacts: fieldNames,
  opt_outs: ['phone', 'email', 'name'],
};

const percent = (share: number) => new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(share);

type Step = 'upload' | 'map' | 'check' | 'importing' | 'done';


export function ImportWizard() {
  const { t } = useTranslation('staff');
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
    await queryClient.invalidateQueries();
  }

  function restart() {
    setFile(null);
    setReport(null);
    setMapping({});
    setStep('upload');
  }

  return (
    <>
      <h2>{t('settings.sections.import')}</h2>
      <p className="sub">{t('importer.intro')}</p>
      <ol className="steps" aria-label={t('importer.steps')}>
        {(['upload', 'map', 'check', 'import'] as const).map((label, i) => (
          <li key={label} aria-current={['upload', 'map', 'check', 'importing'].indexOf(step === 'done' ? 'importing' : step) === i ? 'step' : undefined}>
            {t(`importer.step.${label}`)}
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
            <legend>{t('importer.what')}</legend>
            <label className="check">
              <input type="radio" name="kind" checked={kind === 'contacts'} onChange={() => setKind('contacts')} /> {t('importer.kindContacts')}
            </label>
            <label className="check">
              <input type="radio" name="kind" checked={kind === 'opt_outs'} onChange={() => setKind('opt_outs')} /> {t('importer.kindOptOuts')}
            </label>
          </fieldset>
          <label>
            {t('importer.file')}
            <input type="file" accept=".csv,text/csv" onChange={choose} disabled={busy} />
          </label>
          {busy && <p className="sub">{t('importer.reading')}</p>}
        </div>
      )}

      {step === 'map' && report && (
        <>
          <h3>{t('importer.match', { file: file?.name })}</h3>
          <p className="sub">{t('importer.matchHint')}</p>
          {report.mappingProblem && (
            <p className="error" role="alert">
              {report.mappingProblem}
            </p>
          )}
          <div className="mapping">
            {fieldsFor[kind].map((field) => (
              <div key={field}>
                <label htmlFor={`map-${field}`}>{fieldLabel(field)}</label>
                <select id={`map-${field}`} value={mapping[field] ?? ''} onChange={(e) => setMapping({ ...mapping, [field]: e.target.value || undefined })}>
                  <option value="">{t('importer.notInFile')}</option>
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
              {busy ? t('importer.checking') : t('importer.checkFile')}
            </button>
            <button type="button" className="secondary" onClick={restart}>
              {t('importer.another')}
            </button>
          </div>
        </>
      )}

      {step === 'check' && report && (
        <>
          <h3>{t('importer.checkTitle')}</h3>
          <Totals report={report} />
          {report.totals.refused > 0 ? (
            <>
              <h4>{t('importer.refused', { count: report.totals.refused, n: number(report.totals.refused) })}</h4>
              <p className="sub">{t('importer.refusedHint')}</p>
              <div className="scroll" tabIndex={0} role="region" aria-label={t('importer.refusedRegion')}>
                <table className="grid" aria-label={t('importer.refusedTable')}>
                  <thead>
                    <tr>
                      <th scope="col">{t('importer.line')}</th>
                      <th scope="col">{t('importer.why')}</th>
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
              {report.refused.length < report.totals.refused && <p className="sub">{t('importer.firstListed', { n: number(report.refused.length) })}</p>}
            </>
          ) : (
            <p>{t('importer.allGood')}</p>
          )}
          <div className="buttons">
            <button type="button" onClick={run} disabled={busy || report.totals.rows === report.totals.refused}>
              {t('importer.import', { count: report.totals.rows - report.totals.refused, n: number(report.totals.rows - report.totals.refused) })}
            </button>
            <button type="button" className="secondary" onClick={() => setStep('map')}>
              {t('importer.back')}
            </button>
          </div>
        </>
      )}

      {step === 'importing' && (
        <div className="stack-form">
          <label>
            {t('importer.importing', { file: file?.name })}
            <progress max={1} value={progress} aria-valuetext={percent(progress)} />
          </label>
          <p className="sub">{progress < 1 ? t('importer.sent', { percent: percent(progress) }) : t('importer.finishing')}</p>
        </div>
      )}

      {step === 'done' && report && (
        <div className="stack-form" role="status">
          <h3>{t('importer.finished')}</h3>
          <Totals report={report} />
          <button type="button" onClick={restart}>
            {t('importer.again')}
          </button>
        </div>
      )}

      <h3>{t('importer.export')}</h3>
      <p className="sub">{t('importer.exportHint')}</p>
      <ul className="downloads">
        <li><a href="/api/v1/exports/contacts" download>{t('importer.exportContacts')}</a></li>
        <li><a href="/api/v1/exports/conversations?format=json" download>{t('importer.exportJson')}</a></li>
        <li><a href="/api/v1/exports/conversations?format=fhir" download>{t('importer.exportFhir')}</a></li>
      </ul>
    </>
  );
}

function Totals({ report }: { report: Report }) {
  const { t } = useTranslation('staff');
  const totals = report.totals;
  // Whole sentences per tense: "will be added" before the import, "were added" after it.
  const tense = report.dryRun ? 'future' : 'past';
  const lines = (['created', 'updated', 'unchanged', 'optedOut', 'refused'] as const).map((kind) => [kind, totals[kind]] as const);
  return (
    <ul className="totals">
      {lines.map(([kind, n]) => (
        <li key={kind}>
          <Trans t={t} i18nKey={`importer.totals.${kind}.${tense}`} count={n} values={{ n: number(n) }} components={{ strong: <strong /> }} />
        </li>
      ))}
    </ul>
  );
}

function Preview({ report, mapping, fields }: { report: Report; mapping: Mapping; fields: Field[] }) {
  const { t } = useTranslation('staff');
  const shown = fields.filter((f) => mapping[f]);
  if (!shown.length || !report.sample.length) return null;
  const cell = (row: string[], field: Field) => row[report.columns.indexOf(mapping[field]!)] ?? '';
  return (
    <div className="scroll" tabIndex={0} role="region" aria-label={t('importer.previewRegion')}>
      <table className="grid" aria-label={t('importer.previewTable')}>
        <caption className="sub">{t('importer.previewCaption', { count: report.sample.length, n: number(report.sample.length) })}</caption>
        <thead>
          <tr>
            {shown.map((f) => (
              <th key={f} scope="col">
                {fieldLabel(f)}
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

import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from './Dialog';
import type { Filters } from '../logic';
import { useMediaQuery, wideQuery } from './media';

/**
 * The inbox's filters: a pane of their own beside the list on a desktop, a sheet behind a
 * "Filters" button on tablets and phones, where the list needs the width.
 */
export function FilterPanel({ children, filters }: { children: ReactNode; filters: Filters }) {
  // The clinic and the search stay in the toolbar; the button counts what the sheet holds.
  const { t } = useTranslation('staff');
  const active = Object.entries(filters).filter(([key, value]) => value && key !== 'q' && key !== 'clinicId').length;
  const wide = useMediaQuery(wideQuery);
  const [open, setOpen] = useState(false);
  if (wide) {
    return (
      <nav className="filterbar" aria-label={t('filters.label')}>
        {children}
      </nav>
    );
  }
  return (
    <div className="filter-toggle">
      <button type="button" className="secondary" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {active > 0 ? t('filters.count', { count: active }) : t('filters.label')}
      </button>
      {open && (
        <Dialog title={t('filters.label')} sheet onClose={() => setOpen(false)}>
          <nav className="filterbar" aria-label={t('filters.label')}>
            {children}
          </nav>
          <div className="buttons">
            <button type="button" onClick={() => setOpen(false)}>{t('filters.show')}</button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

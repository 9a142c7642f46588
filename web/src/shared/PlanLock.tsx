import { useTranslation } from 'react-i18next';
import { ApiError } from './api';

/** P4: a feature outside the plan shows a lock naming the plan that unlocks it; other errors show as they are. */
export function PlanLockOr({ error }: { error: Error }) {
  const { t } = useTranslation('staff');
  if (error instanceof ApiError && error.status === 402) {
    return (
      <div className="plan-lock" role="alert">
        <p>
          <span aria-hidden="true">🔒 </span>
          {error.message}
        </p>
        <p className="sub">{t('planLock')}</p>
      </div>
    );
  }
  return <p className="empty" role="alert">{error.message}</p>;
}

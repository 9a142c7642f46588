import { ApiError } from './api';

/** P4: a feature outside the plan shows a lock naming the plan that unlocks it; other errors show as they are. */
export function PlanLockOr({ error }: { error: Error }) {
  if (error instanceof ApiError && error.status === 402) {
    return (
      <div className="plan-lock" role="alert">
        <p>
          <span aria-hidden="true">🔒 </span>
          {error.message}
        </p>
        <p className="sub">The main admin can change the plan under Settings → Plan.</p>
      </div>
    );
  }
  return <p className="empty" role="alert">{error.message}</p>;
}

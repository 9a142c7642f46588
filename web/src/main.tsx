import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './shared/api';
import { i18next } from './shared/i18n';
import { App } from './App';
import './styles.css';
import './states.css';
import './layout.css';
import { followVisualViewport } from './shared/layout/viewport';
import { registerServiceWorker } from './shared/notifications/device';

// A refusal (4xx: the plan, a privilege) is an answer, not a hiccup: asking again only delays it.
const retry = (failures: number, error: Error) => failures < 1 && !(error instanceof ApiError && error.status >= 400 && error.status < 500);
const queryClient = new QueryClient({ defaultOptions: { queries: { retry, refetchOnWindowFocus: true, staleTime: 5_000 } } });
// Patients load only the portal's code; staff never load it.
const PortalApp = lazy(() => import('./portal/PortalApp').then((m) => ({ default: m.PortalApp })));
const isPortal = window.location.pathname === '/portal' || window.location.pathname.startsWith('/portal/');

followVisualViewport();
if (!isPortal) registerServiceWorker();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      {isPortal ? (
        <Suspense fallback={<p className="loading">{i18next.t('staff:app.loading')}</p>}>
          <PortalApp />
        </Suspense>
      ) : (
        <App />
      )}
    </QueryClientProvider>
  </StrictMode>,
);

import { useSyncExternalStore } from 'react';

/** The layout's breakpoints, the same numbers as layout.css. */
export const narrowQuery = '(max-width: 767px)';
export const wideQuery = '(min-width: 1025px)';

export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (changed) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', changed);
      return () => list.removeEventListener('change', changed);
    },
    () => window.matchMedia(query).matches,
  );
}

import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { refusalSentence } from './errors';

/**
 * A change through useMutation: on success it invalidates only the keys it names (queryKeys.ts),
 * so saving a template refetches the templates, not every screen's data; a refusal becomes the
 * sentence a receptionist reads (`error`), cleared when the next change starts.
 */
export function useAction(invalidates: readonly QueryKey[]) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (change: () => Promise<unknown>) => change(),
    onSuccess: () => Promise.all(invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
  /** Runs the change; resolves with its answer, or undefined when it was refused (the sentence is in `error`). */
  const run = async <T,>(change: () => Promise<T>): Promise<T | undefined> => {
    try {
      return (await mutation.mutateAsync(change)) as T;
    } catch {
      return undefined;
    }
  };
  return { run, error: mutation.error ? refusalSentence(mutation.error) : null, pending: mutation.isPending };
}

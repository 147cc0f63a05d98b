import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { Result } from '../../../shared/result';

/**
 * Runs one call for a form or button: `busy` while it runs (a second press does nothing), and
 * the typed error it ended with, for an alert beside the control.
 */
export function useAction<Args extends unknown[], T>(work: (...args: Args) => Promise<Result<T>>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const running = useRef(false);
  const workRef = useRef(work);
  // The latest `work`, for a `run` that stays the same function across renders.
  useLayoutEffect(() => {
    workRef.current = work;
  });

  const run = useCallback(async (...args: Args): Promise<Result<T> | null> => {
    if (running.current) return null;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      const result = await workRef.current(...args);
      if (!result.ok) setError(result.error);
      return result;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);

  return { run, busy, error, setError };
}

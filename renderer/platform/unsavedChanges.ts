/**
 * Asks the browser to confirm leaving the page (closing the tab or window, reloading) while a form
 * holds input that is not saved (issue 12: closing the tab lost an unsaved form without warning).
 * Each open form marks itself dirty under its own key; the page warns while any key is dirty.
 * Browsers show their own wording: a page can only ask for the prompt, not word it.
 */
import { useEffect, useId } from 'react';

/** The part of a `beforeunload` event the guard uses (so tests can pass a plain object). */
export interface UnloadEvent {
  preventDefault(): void;
  returnValue: unknown;
}

export interface UnsavedChanges {
  /** Marks the form under `key` as holding unsaved input, or not. */
  mark(key: string, dirty: boolean): void;
  hasUnsaved(): boolean;
  /** The `beforeunload` listener: asks for the prompt while anything is unsaved. */
  onBeforeUnload(event: UnloadEvent): void;
}

export function createUnsavedChanges(): UnsavedChanges {
  const dirty = new Set<string>();
  return {
    mark(key, isDirty) {
      if (isDirty) dirty.add(key);
      else dirty.delete(key);
    },
    hasUnsaved: () => dirty.size > 0,
    onBeforeUnload(event) {
      if (dirty.size === 0) return;
      event.preventDefault();
      // Older Chromium (and Electron's) only prompt when returnValue is set as well.
      event.returnValue = '';
    },
  };
}

/** The page's one guard; its listener is installed when the first form uses it. */
const pageGuard = createUnsavedChanges();
let installed = false;

/** Warns before the page is left while `dirty` is true; stops when the form saves or closes. */
export function useUnsavedChangesGuard(dirty: boolean): void {
  const key = useId();
  useEffect(() => {
    if (!installed && typeof window !== 'undefined') {
      window.addEventListener('beforeunload', (event) => pageGuard.onBeforeUnload(event));
      installed = true;
    }
    pageGuard.mark(key, dirty);
    return () => pageGuard.mark(key, false);
  }, [key, dirty]);
}

import { describe, expect, it } from 'vitest';
import { createUnsavedChanges } from './unsavedChanges.ts';
import type { UnloadEvent } from './unsavedChanges.ts';

function unloadEvent(): UnloadEvent & { prevented: boolean } {
  const event = {
    prevented: false,
    returnValue: undefined as unknown,
    preventDefault() {
      event.prevented = true;
    },
  };
  return event;
}

describe('unsaved changes guard', () => {
  it('asks before leaving only while a form is dirty', () => {
    const guard = createUnsavedChanges();
    const clean = unloadEvent();
    guard.onBeforeUnload(clean);
    expect(clean.prevented).toBe(false);

    guard.mark('case-form', true);
    guard.mark('note-form', true);
    const dirty = unloadEvent();
    guard.onBeforeUnload(dirty);
    expect(dirty.prevented).toBe(true);
    expect(dirty.returnValue).toBe('');

    guard.mark('case-form', false);
    expect(guard.hasUnsaved()).toBe(true); // the note is still unsaved
    guard.mark('note-form', false);
    const saved = unloadEvent();
    guard.onBeforeUnload(saved);
    expect(saved.prevented).toBe(false);
  });
});

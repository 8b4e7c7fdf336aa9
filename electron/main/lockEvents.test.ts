import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../shared/contract/bridge.ts';
import { forwardLockEvents } from './lockEvents.ts';
import { buildMenuTemplate } from './menu.ts';

describe('lock events', () => {
  it('turns suspend and screen lock into one lock event each, until unsubscribed', () => {
    const power = new EventEmitter();
    const sent: BridgeEvent[] = [];
    const stop = forwardLockEvents(power, (event) => sent.push(event));
    power.emit('suspend');
    power.emit('lock-screen');
    power.emit('resume');
    expect(sent).toEqual(['lock', 'lock']);
    stop();
    power.emit('suspend');
    expect(sent).toHaveLength(2);
  });

  it('puts a Lock item with Ctrl/Cmd+L in the File menu that sends the lock command', () => {
    let locked = 0;
    for (const platform of ['linux', 'darwin', 'win32']) {
      const template = buildMenuTemplate(platform, 'Tessera', (id) => {
        if (id === 'lock') locked += 1;
      });
      const file = template.find((item) => item.label === 'File');
      const items = Array.isArray(file?.submenu) ? file.submenu : [];
      const lock = items.find((item) => item.label === 'Lock Tessera');
      expect(lock?.accelerator).toBe('CmdOrCtrl+L');
      (lock?.click as (() => void) | undefined)?.();
      expect(JSON.stringify(template)).not.toMatch(/https?:|openExternal/);
    }
    expect(locked).toBe(3);
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../services/files/atomicWrite.ts';

export const WINDOW_STATE_FILE = 'window-state.json';

const windowStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(200).max(20_000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export interface Area {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export async function loadWindowState(dataDir: string): Promise<WindowState | null> {
  try {
    const parsed = windowStateSchema.safeParse(
      JSON.parse(await readFile(join(dataDir, WINDOW_STATE_FILE), 'utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function saveWindowState(dataDir: string, state: WindowState): Promise<void> {
  const parsed = windowStateSchema.safeParse(state);
  if (parsed.success)
    await writeFileAtomic(join(dataDir, WINDOW_STATE_FILE), JSON.stringify(parsed.data));
}

/**
 * A remembered window may sit on a monitor that is gone: keep the position only if enough of the
 * title bar would be on a current display, and never make the window larger than that display.
 */
export function fitToDisplays(
  state: WindowState,
  workAreas: readonly Area[],
): WindowState | Omit<WindowState, 'x' | 'y'> {
  const visible = workAreas.find(
    (area) =>
      state.x + 100 <= area.x + area.width &&
      state.x + state.width - 100 >= area.x &&
      state.y >= area.y &&
      state.y + 40 <= area.y + area.height,
  );
  const reference = visible ?? workAreas[0];
  const width = reference ? Math.min(state.width, reference.width) : state.width;
  const height = reference ? Math.min(state.height, reference.height) : state.height;
  if (!visible) return { width, height, maximized: state.maximized };
  return { ...state, width, height };
}

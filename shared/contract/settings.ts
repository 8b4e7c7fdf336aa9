import { z } from 'zod';

export const settingsSchema = z.object({
  /** Name recorded in provenance and the audit trail. */
  userName: z.string().min(1).max(200),
  /** This installation's agency id, the originator of every record it creates. */
  agencyId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/),
  agencyName: z.string().min(1).max(200),
  theme: z.enum(['light', 'dark', 'system']),
  /**
   * Minutes without keyboard, mouse or touch input after which the case store locks (issue 10).
   * Older settings files lack it and get the default.
   */
  idleLockMinutes: z.number().int().min(1).max(480),
});
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  userName: 'investigator',
  agencyId: 'local',
  agencyName: 'Local agency',
  theme: 'system',
  idleLockMinutes: 15,
};

/**
 * Whether the investigator has not yet said who they are: the name is still the default, so
 * provenance and the audit trail would read "investigator" (issue 12). Asked after first start.
 */
export function isIdentityUnset(settings: Pick<Settings, 'userName'>): boolean {
  const name = settings.userName.trim();
  return name === '' || name === DEFAULT_SETTINGS.userName;
}

export const settingsMethods = {
  'settings.get': { input: z.object({}).strict(), output: settingsSchema },
  'settings.update': { input: settingsSchema.partial().strict(), output: settingsSchema },
} as const;

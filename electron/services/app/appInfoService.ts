import type { AppInfo } from '../../../shared/contract/index.ts';

export type AppInfoServiceDeps = AppInfo;

export class AppInfoService {
  constructor(private readonly deps: AppInfoServiceDeps) {}

  info(): Promise<AppInfo> {
    return Promise.resolve({ ...this.deps });
  }
}

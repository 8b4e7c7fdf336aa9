/**
 * Wires the Node-side services to the contract. Both carriers (Electron's IPC and the web host's
 * WebSocket) build their handlers here, so a new service is added in three places only: its class,
 * a field of `Services`, and its methods in `createServiceHandlers`.
 */
import type { AppInfo, ServiceHandlers } from '../../shared/contract/index.ts';
import { AppInfoService } from './app/appInfoService.ts';
import { FilesService } from './files/filesService.ts';
import type { ChooseSavePath } from './files/filesService.ts';
import { SettingsService } from './settings/settingsService.ts';

export interface Services {
  readonly appInfo: AppInfoService;
  readonly settings: SettingsService;
  readonly files: FilesService;
}

export interface ServicesOptions {
  readonly name: string;
  readonly version: string;
  readonly carrier: AppInfo['carrier'];
  readonly platform: string;
  readonly dataDir: string;
  readonly chooseSavePath: ChooseSavePath;
}

export function createServices(options: ServicesOptions): Services {
  const { name, version, carrier, platform, dataDir, chooseSavePath } = options;
  return {
    appInfo: new AppInfoService({ name, version, carrier, platform, dataDir }),
    settings: new SettingsService({ dataDir }),
    files: new FilesService({ chooseSavePath }),
  };
}

export function createServiceHandlers(deps: Services): ServiceHandlers {
  return {
    'app.info': () => deps.appInfo.info(),
    'settings.get': () => deps.settings.get(),
    'settings.update': (patch) => deps.settings.update(patch),
    'files.export': (input) => deps.files.export(input),
  };
}

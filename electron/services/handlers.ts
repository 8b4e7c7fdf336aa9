/**
 * Wires the Node-side services to the contract. Both carriers (Electron's IPC and the web host's
 * WebSocket) build their handlers here, so a new service is added in three places only: its class,
 * a field of `Services`, and its methods in `createServiceHandlers`.
 */
import type { AppInfo, ServiceHandlers } from '../../shared/contract/index.ts';
import { AppInfoService } from './app/appInfoService.ts';
import { ExchangeService, type ExchangeServiceOptions } from './exchange/exchangeService.ts';
import { FilesService } from './files/filesService.ts';
import type { SafeStorageLike } from './identity/safeStorage.ts';
import { KeystoreService } from './keystore/keystoreService.ts';
import type { ChooseSavePath } from './files/filesService.ts';
import { SettingsService } from './settings/settingsService.ts';
import { TransferService, type ChooseOpenPath } from './transfer/index.ts';

export interface Services {
  readonly appInfo: AppInfoService;
  readonly settings: SettingsService;
  readonly files: FilesService;
  readonly transfer: TransferService;
  readonly exchange: ExchangeService;
  readonly keystore: KeystoreService;
}

export interface ServicesOptions {
  readonly name: string;
  readonly version: string;
  readonly carrier: AppInfo['carrier'];
  readonly platform: string;
  readonly dataDir: string;
  readonly chooseSavePath: ChooseSavePath;
  /** Electron: the native open dialog, run by the main process. The web host has none. */
  readonly chooseOpenPath?: ChooseOpenPath;
  /** Partner exchange: passphrase (web host: TESSERA_PASSPHRASE) and/or the OS keyring. */
  readonly exchange?: Partial<
    Omit<ExchangeServiceOptions, 'dataDir' | 'chooseSavePath' | 'transfer'>
  >;
  /** Electron: the OS keyring that may wrap the case store's data key. The web host has none. */
  readonly keystore?: SafeStorageLike;
  /** Test-only case store switches, reported by app.info (see shared/contract/app.ts). */
  readonly testing?: AppInfo['testing'];
}

export function createServices(options: ServicesOptions): Services {
  const { name, version, carrier, platform, dataDir, chooseSavePath, chooseOpenPath } = options;
  // Downloads come from the exchange service, which takes its uploads from the transfer service:
  // the resolver is called only after both exist.
  const transfer: TransferService = new TransferService({
    dataDir,
    ...(chooseOpenPath ? { chooseOpenPath } : {}),
    resolveDownload: (ref) => exchange.downloadSource(ref),
  });
  const exchange: ExchangeService = new ExchangeService({
    dataDir,
    chooseSavePath,
    ...options.exchange,
    transfer,
  });
  return {
    appInfo: new AppInfoService({
      name,
      version,
      carrier,
      platform,
      dataDir,
      ...(options.testing ? { testing: options.testing } : {}),
    }),
    settings: new SettingsService({ dataDir }),
    files: new FilesService({ chooseSavePath }),
    transfer,
    exchange,
    keystore: new KeystoreService(options.keystore),
  };
}

export function createServiceHandlers(deps: Services): ServiceHandlers {
  return {
    'app.info': () => deps.appInfo.info(),
    'settings.get': () => deps.settings.get(),
    'settings.update': (patch) => deps.settings.update(patch),
    'files.export': (input) => deps.files.export(input),
    'files.chooseImport': () => deps.transfer.chooseImport(),
    'transfer.upload.begin': (input) => deps.transfer.beginUpload(input),
    'transfer.upload.chunk': (input) => deps.transfer.uploadChunk(input),
    'transfer.upload.finish': (input) => deps.transfer.finishUpload(input),
    'transfer.upload.cancel': (input) => deps.transfer.cancelUpload(input),
    'transfer.download.begin': (input) => deps.transfer.beginDownload(input),
    'transfer.download.chunk': (input) => deps.transfer.downloadChunk(input),
    'transfer.download.cancel': (input) => deps.transfer.cancelDownload(input),
    'exchange.status': () => deps.exchange.status(),
    'exchange.identity.create': (input) => deps.exchange.createIdentity(input),
    'exchange.identity.unlock': (input) => deps.exchange.unlock(input),
    'exchange.identity.lock': () => deps.exchange.lock(),
    'exchange.identity.card': () => deps.exchange.card(),
    'exchange.identity.rotate': () => deps.exchange.rotate(),
    'exchange.identity.revoke': (input) => deps.exchange.revoke(input),
    'exchange.partners.list': () => deps.exchange.listPartners(),
    'exchange.partners.import': (input) => deps.exchange.importPartner(input),
    'exchange.partners.confirm': (input) => deps.exchange.confirmPartner(input),
    'exchange.partners.setAgreement': (input) => deps.exchange.setAgreement(input),
    'exchange.partners.remove': (input) => deps.exchange.removePartner(input),
    'exchange.transport.configure': (input) => deps.exchange.configureTransport(input),
    'exchange.sync.now': (input) => deps.exchange.syncNow(input),
    'exchange.export.preview': (input) => deps.exchange.preview(input),
    'exchange.export.seal': (input) => deps.exchange.seal(input),
    'exchange.export.save': (input) => deps.exchange.saveExport(input),
    'exchange.import.fromFile': (input) => deps.exchange.importFromFile(input),
    'exchange.import.list': () => deps.exchange.listPending(),
    'exchange.import.open': (input) => deps.exchange.openImport(input),
    'exchange.import.complete': (input) => deps.exchange.completeImport(input),
    'exchange.import.discard': (input) => deps.exchange.discardImport(input),
    'exchange.log.list': (input) => deps.exchange.listLog(input),
    'exchange.log.verify': () => deps.exchange.verifyLog(),
    'keystore.status': () => deps.keystore.status(),
    'keystore.wrap': (input) => deps.keystore.wrap(input.secretBase64),
    'keystore.unwrap': (input) => deps.keystore.unwrap(input.wrappedBase64),
  };
}

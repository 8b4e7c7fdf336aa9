/**
 * Electron entry (bundled to dist/electron/main.cjs). Wiring only: services come from
 * ../services/handlers.ts, every security decision from policy.ts through security.ts.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  powerMonitor,
  safeStorage,
  screen,
  session,
} from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMMAND_CHANNEL } from '../../shared/contract/commands.ts';
import { createServiceHandlers, createServices } from '../services/handlers.ts';
import type { BridgeEvent } from '../../shared/contract/bridge.ts';
import { EVENT_CHANNEL, forwardLockEvents } from './lockEvents.ts';
import { buildMenuTemplate } from './menu.ts';
import { registerIpc } from './ipc.ts';
import { applySessionPolicies, hardenWebContents } from './security.ts';
import { buildWindowOptions } from './window.ts';
import { fitToDisplays, loadWindowState, saveWindowState } from './windowState.ts';

// Bundled as CommonJS next to preload.cjs; the renderer build sits in ../renderer.
const preloadPath = join(__dirname, 'preload.cjs');
const indexPath = join(__dirname, '..', 'renderer', 'index.html');
const appIndexUrl = pathToFileURL(indexPath).href;

let mainWindow: BrowserWindow | null = null;

function dataDir(): string {
  return process.env.TESSERA_DATA_DIR || app.getPath('userData');
}

async function createWindow(): Promise<void> {
  const saved = await loadWindowState(dataDir());
  const fitted = saved
    ? fitToDisplays(
        saved,
        screen.getAllDisplays().map((d) => d.workArea),
      )
    : null;
  const win = new BrowserWindow(buildWindowOptions({ preloadPath, bounds: fitted ?? undefined }));
  mainWindow = win;
  if (fitted?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    const bounds = win.getNormalBounds();
    void saveWindowState(dataDir(), { ...bounds, maximized: win.isMaximized() }).catch(
      (error: unknown) => console.error('[tessera] could not save the window state:', error),
    );
  });
  // A renderer form with unsaved input cancels the unload (renderer/platform/unsavedChanges.ts);
  // Chromium's own prompt does not exist in Electron, so ask here, or the window would silently
  // refuse to close. preventDefault() on this event lets the unload go on.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Leave without saving', 'Stay'],
      defaultId: 1,
      cancelId: 1,
      message: 'Leave with unsaved changes?',
      detail: 'A form has input that is not saved yet.',
    });
    if (choice === 0) event.preventDefault();
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  await win.loadFile(indexPath);
}

/** Pushes one of the bridge's few events to the open window, if there is one. */
function sendToPage(event: BridgeEvent): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, event);
}

async function chooseSavePath(suggestedName: string): Promise<string | null> {
  const options = { defaultPath: join(app.getPath('documents'), suggestedName) };
  const result = mainWindow
    ? await dialog.showSaveDialog(mainWindow, options)
    : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}

/**
 * The native open dialog for a bundle or receipt, run here in main: the renderer gets an opaque
 * reference to the chosen file, never the path (issue 8, finding 7).
 */
async function chooseOpenPath(): Promise<string | null> {
  const options = {
    properties: ['openFile' as const],
    filters: [
      { name: 'Tessera bundles and receipts', extensions: ['tessera', 'receipt', 'json'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result = mainWindow
    ? await dialog.showOpenDialog(mainWindow, options)
    : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

function start(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, appIndexUrl));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });

  void app
    .whenReady()
    .then(async () => {
      applySessionPolicies(session.defaultSession);
      const services = createServices({
        name: app.getName(),
        version: app.getVersion(),
        carrier: 'electron',
        platform: process.platform,
        dataDir: dataDir(),
        chooseSavePath,
        chooseOpenPath,
        keystore: safeStorage,
        // The OS keyring protects the agency keys where it is real; otherwise a passphrase.
        exchange: {
          safeStorage,
          ...(process.env.TESSERA_PASSPHRASE ? { passphrase: process.env.TESSERA_PASSPHRASE } : {}),
        },
      });
      registerIpc(ipcMain, createServiceHandlers(services), appIndexUrl);
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          buildMenuTemplate(process.platform, app.getName(), (id) =>
            mainWindow?.webContents.send(COMMAND_CHANNEL, id),
          ),
        ),
      );
      // A suspended laptop or a locked screen may be out of its owner's hands next (issue 10).
      forwardLockEvents(powerMonitor, sendToPage);
      await createWindow();
    })
    .catch((error: unknown) => {
      console.error('[tessera] start-up failed:', error);
      app.exit(1);
    });
}

start();

import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { ClientInfo } from '../shared/client.js';
import { IPC_CHANNEL } from '../shared/ipc-channel.js';
import type { Result } from '../shared/result.js';
import { newConnection, type Connection, type Router } from './ipc/router.js';
import { isTrustedSender, type SenderFacts, type TrustedRenderer } from './sender-check.js';

export interface DesktopIpc {
  /** The OS locked the screen or is suspending: every window locks, and shows it at its next peek. */
  lockAll(): Promise<void>;
  /** Removes the handler; later calls from a renderer fail in the renderer, never reach the engine. */
  dispose(): void;
}

const NOT_AUTHORISED: Result<never> = {
  ok: false,
  error: { code: 'NOT_AUTHORISED', message: 'This page may not call Latchkey.' },
};

/**
 * The one IPC handler. The sender is checked before anything else; only then does the call reach
 * the router, with the Connection of the window it came from. A Connection (and the session token
 * it holds) lives exactly as long as its webContents.
 */
export function registerIpc(options: {
  readonly router: Router;
  readonly client: ClientInfo;
  readonly trusted: TrustedRenderer;
  readonly isOurWindow: (contents: WebContents) => boolean;
  readonly log: (line: string) => void;
}): DesktopIpc {
  const { router, client, trusted, isOurWindow, log } = options;
  const connections = new Map<WebContents, Connection>();

  function connectionOf(contents: WebContents): Connection {
    const known = connections.get(contents);
    if (known !== undefined) return known;
    const connection = newConnection(client);
    connections.set(contents, connection);
    contents.once('destroyed', () => {
      connections.delete(contents);
      router.release(connection).catch((error: unknown) => {
        log(`latchkey: ending a closed window's session failed (${error instanceof Error ? error.name : 'unknown error'})`);
      });
    });
    return connection;
  }

  ipcMain.handle(IPC_CHANNEL, (event: IpcMainInvokeEvent, channel: unknown, input: unknown): Promise<Result<unknown>> | Result<never> => {
    if (!isTrustedSender(senderFacts(event, isOurWindow), trusted)) return NOT_AUTHORISED;
    return router.route(connectionOf(event.sender), channel, input);
  });

  return {
    lockAll: async () => {
      for (const connection of connections.values()) {
        try {
          await router.lock(connection);
        } catch (error) {
          log(`latchkey: locking a window failed (${error instanceof Error ? error.name : 'unknown error'})`);
        }
      }
    },
    dispose: () => ipcMain.removeHandler(IPC_CHANNEL),
  };
}

function senderFacts(event: IpcMainInvokeEvent, isOurWindow: (contents: WebContents) => boolean): SenderFacts {
  try {
    const frame = event.senderFrame;
    const live = frame !== null && !frame.detached;
    return { fromOurWindow: isOurWindow(event.sender), isMainFrame: live && frame.parent === null, url: live ? frame.url : null };
  } catch {
    // A frame disposed while the message was in flight throws on access: it is no sender to trust.
    return { fromOurWindow: false, isMainFrame: false, url: null };
  }
}

/** The single Electron IPC channel that carries every contract call (see contract.ts). */
export const IPC_CHANNEL = 'latchkey:invoke';

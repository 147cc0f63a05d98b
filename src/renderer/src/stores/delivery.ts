import { create } from 'zustand';
import type {
  Channel,
  DeliverySecretKey,
  DeliverySettingKey,
  DeliveryStatusView,
  OutboxMessageView,
  OutboxState,
} from '../../../shared/delivery';
import type { ErrorInfo } from '../../../shared/errors';
import type { Result } from '../../../shared/result';
import { call } from '../api/latchkey';
import { empty, loading, settled, type Loadable } from './loadable';
import { useSession } from './session';

/** Where mail and SMS go, and what the outbox holds: an administrator's Delivery screen. */

/** How many messages the outbox table shows at once, newest first. */
export const OUTBOX_PAGE = 100;
/** How often the Delivery screen reads the channels and the outbox again while someone is using it. */
export const DELIVERY_REFRESH_MS = 10_000;

/** One change on a settings form; a secret is only ever sent, never read back. */
export type SettingChange =
  | { readonly kind: 'set'; readonly key: DeliverySettingKey; readonly value: string }
  | { readonly kind: 'unset'; readonly key: DeliverySettingKey | DeliverySecretKey }
  | { readonly kind: 'secret'; readonly key: DeliverySecretKey; readonly secret: string };

/** What a form's save came to: the keys saved, and the change refused (with why) if one was. */
export interface SavedSettings {
  readonly saved: readonly SettingChange['key'][];
  readonly refused: { readonly key: SettingChange['key']; readonly error: ErrorInfo } | null;
}

interface DeliveryState {
  readonly status: Loadable<DeliveryStatusView>;
  readonly outbox: Loadable<readonly OutboxMessageView[]>;
  /** The outbox table's filter; null for every state. */
  readonly stateFilter: OutboxState | null;

  /** The channels, the settings and the outbox, afresh. */
  load: () => Promise<void>;
  setStateFilter: (state: OutboxState | null) => Promise<void>;
  /** Makes the changes one at a time, in order, and stops at the first refused; then reads everything again. */
  saveSettings: (changes: readonly SettingChange[]) => Promise<SavedSettings>;
  unsetSetting: (key: DeliverySettingKey | DeliverySecretKey) => Promise<Result<null>>;
  sendTest: (channel: Channel, to: string) => Promise<Result<OutboxMessageView>>;
  retry: (messageId: string) => Promise<Result<OutboxMessageView>>;
  cancel: (messageId: string) => Promise<Result<OutboxMessageView>>;
}

const initial = {
  status: empty<DeliveryStatusView>(),
  outbox: empty<readonly OutboxMessageView[]>(),
  stateFilter: null,
} satisfies Partial<DeliveryState>;

export const useDelivery = create<DeliveryState>()((set, get) => {
  async function loadStatus(): Promise<void> {
    set({ status: loading(get().status) });
    set({ status: settled(get().status, await call('admin.delivery.status')) });
  }

  async function loadOutbox(): Promise<void> {
    const state = get().stateFilter;
    set({ outbox: loading(get().outbox) });
    const result = await call('admin.delivery.list', { limit: OUTBOX_PAGE, ...(state === null ? {} : { state }) });
    // A filter changed while this was on its way: the newer load's answer is the one to keep.
    if (get().stateFilter === state) set({ outbox: settled(get().outbox, result) });
  }

  /** After a change: whatever it moved (a channel's readiness, the counts, a message's state) is read again. */
  async function afterChange<T>(result: Result<T>): Promise<Result<T>> {
    if (result.ok) await get().load();
    return result;
  }

  return {
    ...initial,

    async load() {
      await Promise.all([loadStatus(), loadOutbox()]);
    },

    async setStateFilter(state) {
      set({ stateFilter: state });
      await loadOutbox();
    },

    async saveSettings(changes) {
      const saved: SettingChange['key'][] = [];
      let refused: SavedSettings['refused'] = null;
      for (const change of changes) {
        const result = await apply(change);
        if (!result.ok) {
          refused = { key: change.key, error: result.error };
          break;
        }
        saved.push(change.key);
      }
      if (saved.length > 0) await get().load();
      return { saved, refused };
    },
    unsetSetting: async (key) => afterChange(await call('admin.delivery.unsetSetting', { key })),
    sendTest: async (channel, to) => afterChange(await call('admin.delivery.sendTest', { channel, to })),
    retry: async (messageId) => afterChange(await call('admin.delivery.retry', { messageId })),
    cancel: async (messageId) => afterChange(await call('admin.delivery.cancel', { messageId })),
  };
});

function apply(change: SettingChange): Promise<Result<unknown>> {
  switch (change.kind) {
    case 'set':
      return call('admin.delivery.setSetting', { key: change.key, value: change.value });
    case 'unset':
      return call('admin.delivery.unsetSetting', { key: change.key });
    case 'secret':
      return call('admin.delivery.setSecret', { key: change.key, secret: change.secret });
  }
}

useSession.subscribe((state, previous) => {
  if (previous.signedIn !== null && state.signedIn?.account.id !== previous.signedIn.account.id) useDelivery.setState(initial);
});

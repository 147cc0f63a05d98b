import type { ClientInfo } from '../../../shared/client.js';
import { LatchkeyError, isLatchkeyError } from '../../../shared/errors.js';
import type { AccountRow } from '../../store/accounts.js';
import { isValidUsername, normaliseUsername } from '../accounts/usernames.js';
import type { EngineContext } from '../context.js';
import type { Lockout } from '../lockout/lockout.js';
import type { SessionService, StartedSession } from '../sessions/sessions.js';

export interface SignInRequest {
  readonly username: string;
  readonly password: string;
  readonly client: ClientInfo;
  readonly staySignedIn?: boolean;
}

/** One answer for "no such account" and "wrong password", so a name cannot be probed. */
const BAD_CREDENTIALS = 'The account name or password is not correct.';

export class SignIn {
  readonly #ctx: EngineContext;
  readonly #sessions: SessionService;
  readonly #lockout: Lockout;

  constructor(ctx: EngineContext, sessions: SessionService, lockout: Lockout) {
    this.#ctx = ctx;
    this.#sessions = sessions;
    this.#lockout = lockout;
  }

  async withPassword(request: SignInRequest): Promise<StartedSession> {
    const name = normaliseUsername(request.username);
    const device = request.client.deviceName;
    try {
      this.#lockout.assertMayTry(name);
    } catch (error) {
      this.#ctx.transaction(() => this.#failed(name, this.#ctx.repos.accounts.byUsername(name), device, 'locked_out'));
      throw error;
    }
    const account = isValidUsername(name) ? this.#ctx.repos.accounts.byUsername(name) : undefined;
    // Unknown names cost the same argon2id work as known ones.
    const check = account === undefined
      ? { valid: await this.#ctx.hasher.verifyNothing(request.password), needsRehash: false }
      : await this.#ctx.hasher.verify(account.password_hash, request.password);

    if (account === undefined || !check.valid) {
      this.#ctx.transaction(() => {
        this.#lockout.recordFailure(name, account);
        this.#failed(name, account, device, account === undefined ? 'unknown_account' : 'wrong_password');
      });
      throw new LatchkeyError('INVALID_CREDENTIALS', BAD_CREDENTIALS);
    }
    if (account.status !== 'active') {
      this.#ctx.transaction(() => this.#failed(name, account, device, 'account_disabled'));
      throw new LatchkeyError('ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator to enable it.');
    }
    const upgraded = check.needsRehash ? await this.#ctx.hasher.hash(request.password) : null;
    try {
      return this.#ctx.transaction(() => {
        this.#lockout.recordSuccess(name);
        if (upgraded !== null) {
          this.#ctx.repos.accounts.setPasswordHash(account.id, upgraded, this.#ctx.clock.now(), false);
          this.#ctx.audit.append({
            type: 'password.rehashed',
            outcome: 'success',
            target: { id: account.id, name: account.username },
            reason: 'stored hash weaker than current parameters',
          });
        }
        const started = this.#sessions.start({
          account,
          client: request.client,
          assurance: 'password',
          staySignedIn: request.staySignedIn === true,
        });
        this.#ctx.audit.append({
          type: 'signin.succeeded',
          outcome: 'success',
          actor: { id: account.id, name: account.username },
          target: { id: account.id, name: account.username },
          sessionId: started.session.id,
          device,
          details: { factors: 'password', host: request.client.host },
        });
        return started;
      });
    } catch (error) {
      if (isLatchkeyError(error) && error.code === 'SESSION_LIMIT_REACHED') {
        this.#ctx.transaction(() =>
          this.#ctx.audit.append({
            type: 'session.limit_denied',
            outcome: 'denied',
            target: { id: account.id, name: account.username },
            device,
            reason: 'session limit reached',
          }),
        );
      }
      throw error;
    }
  }

  #failed(name: string, account: AccountRow | undefined, device: string, reason: string): void {
    this.#ctx.audit.append({
      type: 'signin.failed',
      outcome: 'failure',
      // An unknown name may be a password typed into the wrong field: only its digest is kept,
      // enough to see that one name is tried again and again.
      target: account === undefined
        ? { id: null, name: `unknown name #${this.#lockout.nameKey(name).slice(0, 12)}` }
        : { id: account.id, name: account.username },
      device,
      reason,
    });
  }
}

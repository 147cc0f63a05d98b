/** Asked before a move away from fresh backup codes not yet said to be saved (the tests read it too). */
export const LEAVE_CODES_WARNING =
  'These backup codes are not shown again. Leave without saving them? Without them, a lost phone can lock you out of your account.';

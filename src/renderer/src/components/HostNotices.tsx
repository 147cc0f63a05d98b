import type { HostNotice } from '../../../shared/contract';
import { describeError } from '../api/error-messages';
import { useHostNotices } from '../stores/host-notices';
import { Button } from './Button';

/** What the host had to say that no button in this window asked for, above every screen. */
export function HostNotices() {
  const notices = useHostNotices((s) => s.notices);
  const dismiss = useHostNotices((s) => s.dismiss);
  return (
    // The region stays in the page even when empty, so that screen readers notice a notice arriving.
    <div className="host-notices" role="status">
      {notices.map((notice, index) => (
        <div key={index} className={`alert alert--${notice.kind === 'email_verified' ? 'success' : 'error'} host-notices__item`}>
          <div className="alert__body">
            <p>{describeNotice(notice)}</p>
          </div>
          <Button variant="quiet" size="small" onClick={() => dismiss(notice)}>
            Dismiss
          </Button>
        </div>
      ))}
    </div>
  );
}

function describeNotice(notice: HostNotice): string {
  switch (notice.kind) {
    case 'email_verified':
      return `The e-mail address ${notice.email} is verified for the account "${notice.username}".`;
    case 'link_refused':
      return describeError(notice.error);
  }
}

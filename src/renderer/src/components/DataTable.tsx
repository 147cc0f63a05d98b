import type { ReactNode } from 'react';

/**
 * A table with a caption (hidden when a heading above already names it), in a frame that scrolls
 * sideways on a narrow window rather than squeezing the columns.
 */
export function DataTable({
  caption,
  hideCaption = true,
  children,
}: {
  readonly caption: string;
  readonly hideCaption?: boolean;
  readonly children: ReactNode;
}) {
  return (
    <div className="table-frame">
      <table className="table">
        <caption className={hideCaption ? 'visually-hidden' : 'table__caption'}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

/** What a list shows when it has nothing in it. */
export function EmptyState({ children }: { readonly children: ReactNode }) {
  return <p className="empty-state">{children}</p>;
}

import { useId, type ReactNode } from 'react';

interface CardProps {
  readonly title: string;
  /** Beside the title: a count, a button. */
  readonly actions?: ReactNode;
  readonly description?: ReactNode;
  readonly className?: string;
  readonly children: ReactNode;
}

/** A titled section of a page; its heading names the region for assistive technology. */
export function Card({ title, actions, description, className, children }: CardProps) {
  const headingId = useId();
  return (
    <section className={['card', className ?? ''].filter(Boolean).join(' ')} aria-labelledby={headingId}>
      <div className="card__header">
        <div>
          <h2 className="card__title" id={headingId}>
            {title}
          </h2>
          {description !== undefined && <p className="card__description">{description}</p>}
        </div>
        {actions !== undefined && <div className="card__actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

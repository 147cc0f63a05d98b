/** The Latchkey mark: a key whose bow is a shield. Decorative; the product name is always beside it. */
export function Logo({ size = 32 }: { readonly size?: number }) {
  return (
    <svg className="logo" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path className="logo__shield" d="M16 2.5 5 6.6v8.1c0 7 4.6 12.4 11 14.8 6.4-2.4 11-7.8 11-14.8V6.6L16 2.5Z" />
      <circle className="logo__hole" cx="16" cy="12.5" r="3.4" />
      <path className="logo__hole" d="M14.6 15.2h2.8l.9 7.3h-4.6l.9-7.3Z" />
    </svg>
  );
}

import { hrefOf, useNavigation, type Route } from '../../stores/navigation';

const SECTIONS: readonly { route: Route; label: string }[] = [
  { route: 'admin/accounts', label: 'Accounts' },
  { route: 'admin/policy', label: 'Policy' },
  { route: 'admin/delivery', label: 'Delivery' },
  { route: 'admin/security', label: 'Security' },
  { route: 'admin/audit', label: 'Audit log' },
];

/** The administrator's areas. */
export function AdminNav() {
  const route = useNavigation((s) => s.route);
  return (
    <nav className="sub-nav" aria-label="Admin">
      <ul>
        {SECTIONS.map((section) => (
          <li key={section.route}>
            <a href={hrefOf(section.route)} aria-current={route === section.route ? 'page' : undefined}>
              {section.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Word lists for the sample organisation. Plain data; the generator picks from them with a seeded PRNG. */

export const FIRST_NAMES = [
  'Ana', 'Ben', 'Chloé', 'Dmitri', 'Emeka', 'Fatima', 'Gustavo', 'Hana', 'Ines', 'Jonas', 'Kenji', 'Laila',
  'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Samir', 'Tamar', 'Umar', 'Vera', 'Wei', 'Ximena',
  'Yusuf', 'Zanele', 'Aiko', 'Bruno', 'Carmen', 'Dara', 'Elif', 'Felix', 'Grace', 'Hugo', 'Ingrid', 'Jamal',
  'Keira', 'Luca', 'Mei', 'Nikhil', 'Olga', 'Pablo', 'Rania', 'Sofia', 'Tomás', 'Uma', 'Viktor', 'Wanjiru',
  'Yara', 'Zoltan', 'Amara', 'Björn', 'Chiara', 'Diego', 'Esther', 'Farid', 'Giulia', 'Hiroshi', 'Isla', 'Jana',
];

export const LAST_NAMES = [
  'Okafor', 'Lindqvist', 'Moreau', 'Petrov', 'Nakamura', 'Haddad', 'Silva', 'Kowalski', 'Novak', 'Schmidt',
  'Tanaka', 'Rahman', 'García', 'Müller', 'Rossi', 'Kim', 'Chen', 'Singh', 'Dubois', 'Andersen', 'Costa',
  'Mensah', 'Ivanova', 'Fischer', 'Yilmaz', 'Hernández', 'Nguyen', 'Bianchi', 'O’Brien', 'Sato', 'Popescu',
  'Jensen', 'Martins', 'Kariuki', 'Horvat', 'Larsen', 'Ferreira', 'Weber', 'Abebe', 'Park', 'Dahl', 'Laurent',
];

/** IANA time zones with their usual UTC offset in hours (standard time; good enough for sample check-in times). */
export const TIME_ZONES: readonly (readonly [string, number])[] = [
  ['Europe/Berlin', 1], ['Europe/London', 0], ['Europe/Lisbon', 0], ['Europe/Warsaw', 1], ['Europe/Helsinki', 2],
  ['America/New_York', -5], ['America/Chicago', -6], ['America/Los_Angeles', -8], ['America/Sao_Paulo', -3],
  ['Asia/Tokyo', 9], ['Asia/Kolkata', 5.5], ['Asia/Singapore', 8], ['Africa/Lagos', 1], ['Africa/Nairobi', 3],
  ['Australia/Sydney', 10],
];

export const DIVISIONS: readonly (readonly [string, readonly string[]])[] = [
  ['Product & Engineering', ['Platform', 'Mobile', 'Web App', 'Data', 'Infrastructure', 'Security', 'Developer Experience', 'Payments']],
  ['Go-to-Market', ['Enterprise Sales', 'Self-serve Growth', 'Partnerships', 'Brand & Content', 'Solutions Engineering']],
  ['Customer', ['Support', 'Customer Success', 'Onboarding', 'Community']],
  ['Operations', ['Finance', 'People', 'Legal', 'Workplace', 'IT']],
  ['Design & Research', ['Product Design', 'User Research', 'Design Systems']],
];

export const COMPANY_OBJECTIVES = [
  'Become the tool our customers recommend first',
  'Grow revenue sustainably',
  'Build a platform that scales with our customers',
  'Be a great place to do the best work of your career',
  'Earn trust with security and reliability',
  'Expand into new markets',
];

export const TEAM_OBJECTIVES = [
  'Make onboarding effortless for new customers',
  'Ship the features customers ask for most',
  'Halve the time it takes to resolve an incident',
  'Turn more trials into happy paying customers',
  'Make our releases boringly reliable',
  'Understand why customers leave',
  'Grow our presence in the DACH market',
  'Cut the cost of serving each customer',
  'Make every team self-sufficient with data',
  'Hire and onboard great people quickly',
  'Close the books faster and with fewer surprises',
  'Raise the bar on accessibility',
];

export const PERSON_OBJECTIVES = [
  'Own the migration of our billing jobs',
  'Get customer feedback into every sprint',
  'Level up as a code reviewer',
  'Automate the weekly reporting',
  'Mentor the two new joiners',
  'Make our documentation findable',
  'Ship the redesigned settings page',
  'Run the first customer advisory board',
  'Cut flaky tests out of the pipeline',
  'Build a pipeline of qualified leads in retail',
  'Speak at a community conference',
  'Reduce my team’s open support backlog',
];

export interface NumericTemplate {
  title: string;
  kind: 'increase' | 'decrease';
  start: readonly [number, number];
  /** Target as a multiple of start (or, when start may be 0, an absolute range via `targetAbs`). */
  ratio?: readonly [number, number];
  targetAbs?: readonly [number, number];
  unit?: string;
  format?: 'number' | 'percent' | 'currency';
  currency?: string;
  decimals?: number;
}

export const NUMERIC_TEMPLATES: readonly NumericTemplate[] = [
  { title: 'Grow weekly active teams from {start} to {target}', kind: 'increase', start: [200, 900], ratio: [1.2, 1.8], unit: 'teams' },
  { title: 'Raise NPS from {start} to {target}', kind: 'increase', start: [18, 40], ratio: [1.2, 1.6], unit: 'points' },
  { title: 'Lift trial-to-paid conversion from {start} to {target}', kind: 'increase', start: [6, 14], ratio: [1.2, 1.5], format: 'percent', unit: '%', decimals: 1 },
  { title: 'Grow monthly recurring revenue from {start} to {target}', kind: 'increase', start: [400_000, 1_200_000], ratio: [1.1, 1.35], format: 'currency', currency: 'EUR' },
  { title: 'Ship {target} customer-requested improvements', kind: 'increase', start: [0, 0], targetAbs: [6, 20], unit: 'improvements' },
  { title: 'Publish {target} customer stories', kind: 'increase', start: [0, 0], targetAbs: [3, 10], unit: 'stories' },
  { title: 'Raise test coverage of the core services from {start} to {target}', kind: 'increase', start: [45, 70], ratio: [1.1, 1.3], format: 'percent', unit: '%' },
  { title: 'Onboard {target} new design partners', kind: 'increase', start: [0, 0], targetAbs: [4, 12], unit: 'partners' },
  { title: 'Cut p95 API latency from {start} to {target}', kind: 'decrease', start: [300, 900], ratio: [0.4, 0.7], unit: 'ms' },
  { title: 'Reduce support tickets older than 7 days from {start} to {target}', kind: 'decrease', start: [60, 240], ratio: [0.2, 0.5], unit: 'tickets' },
  { title: 'Bring monthly churn down from {start} to {target}', kind: 'decrease', start: [2.5, 6], ratio: [0.5, 0.8], format: 'percent', unit: '%', decimals: 1 },
  { title: 'Reduce median time to first response from {start} to {target}', kind: 'decrease', start: [6, 30], ratio: [0.25, 0.6], unit: 'h', decimals: 1 },
  { title: 'Cut cloud spend per customer from {start} to {target}', kind: 'decrease', start: [40, 120], ratio: [0.6, 0.85], format: 'currency', currency: 'USD' },
  { title: 'Bring the CI build time down from {start} to {target}', kind: 'decrease', start: [18, 45], ratio: [0.3, 0.6], unit: 'min' },
];

export const MAINTAIN_TEMPLATES: readonly { title: string; kind: 'maintain-above' | 'maintain-below'; threshold: number; unit?: string; spread: number }[] = [
  { title: 'Keep uptime at or above 99.9%', kind: 'maintain-above', threshold: 99.9, unit: '%', spread: 0.08 },
  { title: 'Keep customer satisfaction at or above 4.5', kind: 'maintain-above', threshold: 4.5, unit: '/5', spread: 0.25 },
  { title: 'Keep the on-call health score above 80', kind: 'maintain-above', threshold: 80, spread: 8 },
  { title: 'Keep gross margin at or above 72%', kind: 'maintain-above', threshold: 72, unit: '%', spread: 3 },
  { title: 'Keep the error-budget burn rate below 1.0', kind: 'maintain-below', threshold: 1, spread: 0.4 },
  { title: 'Keep critical vulnerabilities older than 14 days below 2', kind: 'maintain-below', threshold: 2, unit: 'issues', spread: 1.5 },
  { title: 'Keep the new-tab page weight below 500 kB', kind: 'maintain-below', threshold: 500, unit: 'kB', spread: 60 },
];

export const MILESTONE_TEMPLATES: readonly { title: string; items: readonly string[] }[] = [
  { title: 'Launch the new onboarding flow', items: ['Interview 12 new customers', 'Prototype tested with 5 teams', 'Beta with 20 accounts', 'General availability'] },
  { title: 'Migrate billing to the new platform', items: ['Plan approved', 'Shadow mode for two weeks', 'Half of the traffic moved', 'All traffic moved', 'Old system retired'] },
  { title: 'Stand up the data warehouse', items: ['Vendor chosen', 'First three sources loaded', 'Finance dashboard live', 'Self-serve training held'] },
  { title: 'Roll out the career framework', items: ['Draft reviewed by leads', 'Calibration session', 'Published to everyone'] },
  { title: 'Open the Singapore office', items: ['Entity registered', 'Lease signed', 'First three hires', 'Launch event'] },
  { title: 'Publish the accessibility audit fixes', items: ['Audit findings triaged', 'Critical issues fixed', 'Serious issues fixed', 'Re-audit passed'] },
];

export const BOOLEAN_TEMPLATES = [
  'Pass the SOC 2 Type II audit',
  'Sign the first enterprise partner in Japan',
  'Publish the public API reference',
  'Get the mobile app featured in the app stores',
  'Close the Series B round',
  'Complete the GDPR records-of-processing review',
];

export const CHECK_IN_NOTES = [
  'Good week: the experiment shipped on Tuesday.',
  'Slower than hoped; two people were out sick.',
  'Back on track after the release.',
  'Numbers moved after the pricing page change.',
  'Mostly groundwork this week, nothing visible yet.',
  'Customer calls confirmed the direction.',
  'Waiting on the vendor, picking up other work meanwhile.',
  'Big jump thanks to the newsletter.',
  'Holding steady.',
  'Finished the first half of the migration.',
  'Re-estimated: the last part is harder than it looked.',
  'Paired with support to close the oldest tickets.',
];

export const BLOCKERS = [
  'Waiting for legal review of the contract.',
  'Blocked on the platform team’s API change.',
  'Need budget approval for the extra tooling.',
  'Staging environment has been down since Wednesday.',
  'Missing data access for the EU region.',
  'Two open positions still unfilled.',
];

export const COMMENTS = [
  'Nice progress, thank you!',
  'Can we talk about this in Thursday’s sync?',
  'What would help you unblock this?',
  'Great to see this moving again.',
  'Is the target still realistic after the re-plan?',
  'Happy to pair on this next week.',
  'The customer feedback here is really useful.',
  'Let’s flag this in the leadership review.',
];

export const KUDOS = [
  'Thank you for jumping on the incident at 2 am.',
  'Your onboarding doc saved me days.',
  'Brilliant demo at the all-hands!',
  'Thanks for covering my on-call shift.',
  'The customer loved your follow-up.',
  'Great mentoring of the new joiners.',
  'That refactor made everything faster.',
];

export const REFLECTIONS: readonly (readonly [string, string, string])[] = [
  ['We shipped the core of it early and learned from real users.', 'Our first estimate ignored the migration work.', 'Split the objective so progress is visible sooner.'],
  ['The team rallied around one clear metric.', 'Weekly check-ins caught the slip in week five.', 'Agree the baseline before the cycle starts.'],
  ['Partners gave us honest, fast feedback.', 'Aspirational targets need an explicit stretch plan.', 'Review the key results with the dependent teams first.'],
  ['Support and engineering worked as one team.', 'We under-invested in measurement.', 'Instrument before we build.'],
];

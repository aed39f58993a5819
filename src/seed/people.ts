/** The people of the demo data set (src/seed/demo.ts). */

export interface DemoPerson {
  username: string;
  first_name: string;
  last_name: string;
  timezone: string;
  bio: string;
  expertise: string[];
}

export interface DemoMentor extends DemoPerson {
  /** null: a mentor who only runs free sessions. */
  hourly_rate_cents: number | null;
  /** Titles of the sessions they run, one-to-one first, then group sessions. */
  oneToOne: string[];
  group: string[];
}

export const DEMO_MENTORS: readonly DemoMentor[] = [
  {
    username: 'amara.okafor',
    first_name: 'Amara',
    last_name: 'Okafor',
    timezone: 'Europe/Berlin',
    bio: 'Staff engineer at a payments company. Ten years of TypeScript and Node.js in production; I help engineers grow into senior and staff roles.',
    expertise: ['TypeScript', 'Node.js', 'System design', 'Code review'],
    hourly_rate_cents: 8000,
    oneToOne: ['Career check-in', 'System design mock interview', 'Code review of your project', 'TypeScript deep dive'],
    group: ['Designing resilient APIs', 'Node.js performance clinic'],
  },
  {
    username: 'diego.ramirez',
    first_name: 'Diego',
    last_name: 'Ramírez',
    timezone: 'America/Mexico_City',
    bio: 'Product lead who shipped marketplaces in three countries. I coach new product managers on discovery, roadmaps and stakeholder work.',
    expertise: ['Product management', 'Discovery', 'Roadmapping'],
    hourly_rate_cents: 6000,
    oneToOne: ['Product strategy session', 'Roadmap review', 'PM interview practice'],
    group: ['Discovery interviews workshop', 'Writing a great PRD'],
  },
  {
    username: 'mei.tanaka',
    first_name: 'Mei',
    last_name: 'Tanaka',
    timezone: 'Asia/Tokyo',
    bio: 'Data scientist turned ML engineer. I mentor analysts moving into machine learning: statistics, Python and getting models into production.',
    expertise: ['Python', 'Machine learning', 'Statistics', 'MLOps'],
    hourly_rate_cents: 9500,
    oneToOne: ['ML project review', 'Statistics office hours', 'Portfolio feedback'],
    group: ['Intro to feature engineering', 'Shipping your first model'],
  },
  {
    username: 'sam.oconnor',
    first_name: 'Sam',
    last_name: "O'Connor",
    timezone: 'America/New_York',
    bio: 'Career coach and former engineering recruiter. Free sessions for career changers: CVs, interviews and negotiation.',
    expertise: ['Career coaching', 'Interviewing', 'Negotiation'],
    hourly_rate_cents: null,
    oneToOne: ['CV review', 'Mock behavioural interview', 'Offer negotiation prep'],
    group: ['Career changers circle', 'Job search Q&A'],
  },
];

export const DEMO_LEARNERS: readonly DemoPerson[] = [
  { username: 'liam.chen', first_name: 'Liam', last_name: 'Chen', timezone: 'America/Los_Angeles', bio: 'Frontend developer aiming for a senior role.', expertise: ['React'] },
  { username: 'sofia.rossi', first_name: 'Sofia', last_name: 'Rossi', timezone: 'Europe/Rome', bio: 'Analyst learning machine learning.', expertise: ['SQL', 'Python'] },
  { username: 'noah.williams', first_name: 'Noah', last_name: 'Williams', timezone: 'Australia/Sydney', bio: 'Bootcamp graduate looking for a first job.', expertise: ['JavaScript'] },
  { username: 'priya.sharma', first_name: 'Priya', last_name: 'Sharma', timezone: 'Asia/Kolkata', bio: 'Backend engineer moving into product.', expertise: ['Go', 'Product'] },
  { username: 'lucas.martin', first_name: 'Lucas', last_name: 'Martin', timezone: 'Europe/Paris', bio: 'New product manager at a health start-up.', expertise: ['Product'] },
  { username: 'zoe.dubois', first_name: 'Zoé', last_name: 'Dubois', timezone: 'America/Toronto', bio: 'Designer learning to code.', expertise: ['Figma', 'CSS'] },
  { username: 'omar.haddad', first_name: 'Omar', last_name: 'Haddad', timezone: 'Africa/Cairo', bio: 'Data engineer preparing for interviews.', expertise: ['Spark', 'Python'] },
  { username: 'hana.kim', first_name: 'Hana', last_name: 'Kim', timezone: 'Asia/Seoul', bio: 'Mobile developer exploring system design.', expertise: ['Kotlin', 'Swift'] },
];

export const FEEDBACK_COMMENTS: Readonly<Record<number, readonly string[]>> = {
  5: [
    'Exactly what I needed — clear, practical and kind.',
    'Brilliant session, I left with a concrete plan for the next month.',
    'Super prepared and generous with examples.',
  ],
  4: ['Very helpful, we ran a little short on time at the end.', 'Good advice, I would have liked more written follow-up.'],
  3: ['Useful, but more general than I hoped.'],
  2: ['The audio kept dropping, hard to follow.'],
};

export const CHAT_LINES: readonly string[] = [
  'Hi! Can you hear me okay?',
  'Yes, loud and clear.',
  'I shared the link to the doc in the chat.',
  'Thanks, that was really useful.',
  'I will send the notes after the call.',
];

export const REQUEST_TOPICS: readonly string[] = [
  'Preparing for a system design interview',
  'Feedback on my portfolio',
  'How to negotiate my first offer',
  'Moving from analytics to ML',
  'Structuring a product roadmap',
  'Getting started with TypeScript generics',
];

/**
 * THE authorization table: for every operationId in `openapi.yaml`, what each kind of caller gets.
 * `authz.test.ts` walks the spec's operations and fails for an operation without a row here, so a
 * new endpoint cannot ship without deciding who may call it.
 *
 * Columns (the people of `world.ts`):
 *   owner        the mentor who owns the record in the path — or, where `owner: 'bookedLearner'`,
 *                the learner who holds the booking, asked the request or sat the session;
 *   otherMentor  a mentor with no relation to the record;
 *   learner      a learner with no relation to the record;
 *   admin        an admin (`is_admin`, role mentor), unrelated to the record;
 *   anonymous    no token.
 *
 * Rules this table spells out (docs/api-design.md): anonymous → 401 on every protected operation;
 * the wrong role → 403 before any lookup; a record the caller may not see → 404 (no existence
 * leak); a record they may see but not change → 403. Each request is otherwise valid for the owner,
 * so any other outcome is the authorization's doing. `target` names the record whose id is in the
 * path (world.ts `Records`, or a person for user ids); `body` and `query` build the rest.
 */
import type { Person, RecordKey, RequestContext } from './world.ts';

export type Caller = 'owner' | 'otherMentor' | 'learner' | 'admin' | 'anonymous';
export const CALLERS: readonly Caller[] = ['owner', 'otherMentor', 'learner', 'admin', 'anonymous'];

export interface MatrixRow {
  owner?: 'mentor' | 'bookedLearner';
  /** The record (or person, for user ids) whose id goes into the path. */
  target?: RecordKey | Person;
  query?: string;
  body?: (c: RequestContext) => unknown | Promise<unknown>;
  /** For the WebSocket upgrade: the handshake's status (101 = the socket opened). */
  transport?: 'websocket';
  expect: Record<Caller, number>;
}

/** Outcomes in column order: owner, otherMentor, learner, admin, anonymous. */
const E = (owner: number, otherMentor: number, learner: number, admin: number, anonymous: number): Record<Caller, number> => ({
  owner,
  otherMentor,
  learner,
  admin,
  anonymous,
});
/** Everyone signed in may (their own data, or public data); anonymous may not. */
const SIGNED_IN = E(200, 200, 200, 200, 401);
/** Mentors (admins are mentors) may; learners may not. */
const MENTORS = E(200, 200, 403, 200, 401);
/** Only the admin may. */
const ADMIN = (status: number) => E(403, 403, 403, status, 401);
/** Public: the token, if any, is ignored. */
const PUBLIC = (status: number) => E(status, status, status, status, status);

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const account = (c: RequestContext) => {
  const name = `authz_${c.unique()}`;
  return { username: name, email: `${name}@example.test`, password: 'a-long-password', role: 'learner' };
};
const sessionBody = () => ({ title: 'Matrix session', description: 'd', start_time: inDays(5), duration: 60, price: null, capacity: 2 });
const profileBody = () => ({ first_name: 'Ada', last_name: 'Lovelace', bio: '', expertise: [], timezone: 'UTC', hourly_rate: null });

export const AUTHZ_MATRIX: Record<string, MatrixRow> = {
  // Auth and ops: public.
  register: { body: account, expect: PUBLIC(201) },
  obtainToken: { body: (c) => ({ username: c.people.owner.username, password: 'correct-horse-battery' }), expect: PUBLIC(200) },
  refreshToken: { body: async (c) => ({ refresh: await c.refreshToken() }), expect: PUBLIC(200) },
  logout: { body: async (c) => ({ refresh: await c.refreshToken() }), expect: PUBLIC(204) },
  healthz: { expect: PUBLIC(200) },
  readyz: { expect: PUBLIC(200) },
  getOpenApiDocument: { expect: PUBLIC(200) },
  getApiDocs: { expect: PUBLIC(200) },
  getOpenApiJson: { expect: PUBLIC(200) },
  getAsyncApiDocument: { expect: PUBLIC(200) },
  openWebSocket: { transport: 'websocket', expect: E(101, 101, 101, 101, 401) },

  // Sessions. A learner who is not booked sees only scheduled sessions; admins read every session
  // but drive none; only the owner changes one.
  listSessions: { query: 'status=scheduled', expect: SIGNED_IN },
  createSession: { body: sessionBody, expect: E(201, 201, 403, 201, 401) },
  getSession: { target: 'done', expect: E(200, 404, 404, 200, 401) },
  replaceSession: { target: 'draft', body: sessionBody, expect: E(200, 404, 403, 403, 401) },
  updateSession: { target: 'draft', body: () => ({ title: 'Renamed' }), expect: E(200, 404, 403, 403, 401) },
  publishSession: { target: 'draft', expect: E(200, 404, 403, 403, 401) },
  cancelSession: { target: 'open', body: () => ({ reason: 'Ill' }), expect: E(200, 404, 403, 403, 401) },
  markSessionReady: { target: 'soon', expect: E(200, 404, 403, 403, 401) },
  // A scheduled session is visible to every learner, so the unrelated one gets 403, not 404.
  startSession: { target: 'startable', expect: E(200, 404, 403, 403, 401) },
  completeSession: { target: 'live', expect: E(200, 404, 403, 403, 401) },
  // Booking is for learners: the owner and other mentors are the wrong role.
  bookSession: { target: 'open', expect: E(403, 403, 201, 403, 401) },
  listSessionFeedback: { target: 'done', expect: E(200, 404, 404, 200, 401) },
  createFeedback: { owner: 'bookedLearner', target: 'done', body: () => ({ rating: 5, comment: 'Great' }), expect: E(201, 404, 404, 403, 401) },
  listSessionChat: { target: 'open', expect: E(200, 404, 403, 200, 401) },
  // Attendance (who came, for how long): the owning mentor and admins; a learner who can see the session gets 403.
  getSessionAttendance: { target: 'open', expect: E(200, 404, 403, 200, 401) },

  // Bookings: the seat is its learner's; the session's mentor and admins may read it.
  listBookings: { expect: SIGNED_IN },
  getBooking: { owner: 'bookedLearner', target: 'booking', expect: E(200, 404, 404, 200, 401) },
  cancelBooking: { owner: 'bookedLearner', target: 'booking', expect: E(200, 403, 404, 403, 401) },
  markBookingReady: { owner: 'bookedLearner', target: 'soonBooking', expect: E(200, 403, 404, 403, 401) },

  // Requests: between their learner and their mentor; admins may read, not answer.
  listRequests: { expect: SIGNED_IN },
  createRequest: {
    body: (c) => ({ mentor: c.people.owner.id, topic: 'Help', preferred_times: [inDays(4)] }),
    expect: E(403, 403, 201, 403, 401),
  },
  getRequest: { target: 'request', expect: E(200, 404, 404, 200, 401) },
  acceptRequest: { target: 'request', body: () => ({ start_time: inDays(6) }), expect: E(200, 404, 403, 403, 401) },
  declineRequest: { target: 'request', body: () => ({ reason: 'Busy' }), expect: E(200, 404, 403, 403, 401) },
  cancelRequest: { owner: 'bookedLearner', target: 'request', expect: E(200, 403, 404, 403, 401) },

  // Money: every mentor sees their own; a payout needs a balance (the others have none: 409).
  getEarnings: { expect: MENTORS },
  listPayouts: { expect: MENTORS },
  requestPayout: { body: () => ({ amount: '1.00' }), expect: E(201, 409, 403, 409, 401) },
  getAnalytics: { expect: MENTORS },

  // The caller's own profile; the public mentor directory.
  getProfile: { expect: SIGNED_IN },
  replaceProfile: { body: profileBody, expect: SIGNED_IN },
  updateProfile: { body: () => ({ bio: 'Hello' }), expect: SIGNED_IN },
  listMentors: { expect: SIGNED_IN },
  getMentor: { target: 'owner', expect: SIGNED_IN },

  // Notifications are their recipient's alone — not even admins see them (404).
  listNotifications: { expect: SIGNED_IN },
  getNotification: { target: 'notification', expect: E(200, 404, 404, 404, 401) },
  markNotificationRead: { target: 'notification', body: () => ({ read_status: true }), expect: E(200, 404, 404, 404, 401) },
  markAllNotificationsRead: { expect: SIGNED_IN },
  getRtcConfig: { expect: SIGNED_IN },

  // Admin.
  adminListUsers: { expect: ADMIN(200) },
  adminCreateUser: { body: account, expect: ADMIN(201) },
  adminGetUser: { target: 'account', expect: ADMIN(200) },
  adminUpdateUser: { target: 'account', body: () => ({ is_active: false }), expect: ADMIN(200) },
  adminListSessions: { expect: ADMIN(200) },
  adminListPayouts: { expect: ADMIN(200) },
  adminApprovePayout: { target: 'payout', body: () => ({ note: 'ok' }), expect: ADMIN(200) },
  adminRejectPayout: { target: 'payout', body: () => ({ note: 'no' }), expect: ADMIN(200) },
  adminMarkPayoutPaid: { target: 'payout', expect: ADMIN(200) },
  adminBroadcastNotification: { body: (c) => ({ user: c.people.learner.id, message: 'Hi' }), expect: ADMIN(201) },
  adminGetStats: { expect: ADMIN(200) },

  // Platform integration. Key management needs an admin's own token; provisioning takes an
  // admin's token too (or a key with `platform:users`, see test/api/platform.test.ts); minting
  // user tokens is for API keys with `platform:tokens` only, so every user token is refused.
  adminListApiKeys: { expect: ADMIN(200) },
  adminCreateApiKey: { body: () => ({ name: 'Matrix key', scopes: ['platform:users'] }), expect: ADMIN(201) },
  adminRevokeApiKey: { target: 'apiKey', expect: ADMIN(204) },
  upsertPlatformUser: {
    body: (c) => ({ role: 'mentor', email: c.records.platformUser.email, first_name: 'Grace' }),
    expect: ADMIN(200),
  },
  getPlatformUser: { expect: ADMIN(200) },
  deactivatePlatformUser: { expect: ADMIN(204) },
  createPlatformUserToken: { body: () => ({ scope: 'dashboard' }), expect: E(403, 403, 403, 403, 401) },
  // Integrations: the event feed and webhook management are the admins' (or an API key's).
  listEvents: { expect: ADMIN(200) },
  listWebhooks: { expect: ADMIN(200) },
  createWebhook: { body: () => ({ url: 'https://hooks.example.test/mentor', events: ['*'] }), expect: ADMIN(201) },
  getWebhook: { target: 'webhook', expect: ADMIN(200) },
  updateWebhook: { target: 'webhook', body: () => ({ enabled: false }), expect: ADMIN(200) },
  deleteWebhook: { target: 'webhook', expect: ADMIN(204) },
  rotateWebhookSecret: { target: 'webhook', expect: ADMIN(200) },
  testWebhook: { target: 'webhook', expect: ADMIN(202) },
  listWebhookDeliveries: { target: 'webhook', query: 'status=pending', expect: ADMIN(200) },
  retryWebhookDelivery: { target: 'webhook', expect: ADMIN(202) },
};

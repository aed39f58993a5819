/**
 * The one list of problem codes: every `code` an error answer (RFC 9457 problem+json) can carry,
 * with a title, when it happens and what to do. The `type` of a problem is `/problems/{code}`;
 * `src/pages/problems.ts` serves a page per entry from this list, and `openapi.yaml`'s
 * `ProblemCode` enum must list exactly these codes (a test compares them, and another reads
 * `src/` for every code the services emit, so a new code without an entry here fails the tests).
 */

export interface ProblemDescription {
  code: string;
  status: number;
  title: string;
  /** When the API answers with it. */
  when: string;
  /** What the caller can do about it. */
  todo: string;
}

export const PROBLEMS: readonly ProblemDescription[] = [
  // ------------------------------------------------------------------ requests in general
  { code: 'validation_failed', status: 400, title: 'Request validation failed', when: 'A parameter or a body field does not match the contract (openapi.yaml). `errors` lists each field with a message.', todo: 'Correct the fields named in `errors` and send the request again.' },
  { code: 'bad_request', status: 400, title: 'Bad request', when: 'The request cannot be understood as sent.', todo: 'Read `detail`, fix the request and retry.' },
  { code: 'malformed_body', status: 400, title: 'Malformed body', when: 'The body is not valid JSON, or its compression cannot be decoded.', todo: 'Send well-formed JSON (or an intact gzip/deflate/br stream) with a matching Content-Type.' },
  { code: 'http_error', status: 400, title: 'Request error', when: 'The HTTP layer refused the request (for instance a header it cannot accept).', todo: 'Read `detail`; send a plain, well-formed HTTP request.' },
  { code: 'malformed_request', status: 400, title: 'Bad request', when: 'The bytes received could not be parsed as an HTTP request (answered by the HTTP server before any route).', todo: 'Send a well-formed HTTP/1.1 request.' },
  { code: 'request_timeout', status: 408, title: 'Request timeout', when: 'The request line, headers or body did not arrive in time (`HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`); the connection is closed.', todo: 'Send the whole request promptly; retry on a new connection.' },
  { code: 'headers_too_large', status: 431, title: 'Request header fields too large', when: 'The URL or the headers are larger than the server accepts.', todo: 'Send a shorter URL and fewer or smaller headers (cookies included).' },
  { code: 'payload_too_large', status: 413, title: 'Payload too large', when: 'The body is larger than the server accepts (`BODY_LIMIT_BYTES`, or `UPLOAD_MAX_BYTES` for pictures).', todo: 'Send a smaller body or a smaller picture.' },
  { code: 'unsupported_media_type', status: 415, title: 'Unsupported media type', when: 'The Content-Type is not one the operation accepts.', todo: 'Send `application/json` (or `multipart/form-data` where the operation documents it).' },
  { code: 'unsupported_image', status: 415, title: 'Unsupported image', when: 'An uploaded picture is not a JPEG, PNG or WebP image.', todo: 'Upload a JPEG, PNG or WebP picture.' },
  { code: 'not_found', status: 404, title: 'Not found', when: 'Nothing is served at this path, or the resource does not exist or is not visible to you (the API does not tell the two apart).', todo: 'Check the id and that you are signed in as the right user.' },
  { code: 'method_not_allowed', status: 405, title: 'Method not allowed', when: 'The path exists but not with this HTTP method.', todo: 'Use one of the methods in the `Allow` header.' },
  { code: 'upgrade_required', status: 426, title: 'Upgrade required', when: 'A plain HTTP request reached `/ws`, which only speaks WebSocket.', todo: 'Open a WebSocket to `/ws` (see /asyncapi.yaml).' },
  { code: 'rate_limited', status: 429, title: 'Too many requests', when: 'Too many requests (or sign-in attempts) from you in a short time.', todo: 'Wait for the seconds given in `Retry-After`, then try again.' },
  { code: 'too_many_connections', status: 429, title: 'Too many connections', when: 'You already hold the most WebSockets one user may keep open.', todo: 'Close a tab or connection you no longer use, then connect again.' },
  { code: 'not_implemented', status: 501, title: 'Not implemented', when: 'The operation is part of the contract but this server does not implement it yet.', todo: 'Use another operation, or a newer server.' },
  { code: 'service_unavailable', status: 503, title: 'Service unavailable', when: 'The server is starting, stopping, or cannot reach its database or Redis.', todo: 'Retry after a short wait; operators: check /readyz.' },
  { code: 'internal_error', status: 500, title: 'Internal server error', when: 'An unexpected error on the server. It is logged with the request id.', todo: 'Retry later; if it persists, report it with the `X-Request-Id` of the answer.' },

  // ------------------------------------------------------------------ signing in and permissions
  { code: 'unauthorized', status: 401, title: 'Unauthorized', when: 'No access token was sent, or it is not valid.', todo: 'Sign in (`POST /api/auth/login/`) and send `Authorization: Bearer <access token>`.' },
  { code: 'invalid_credentials', status: 401, title: 'Invalid credentials', when: 'The username or the password is wrong.', todo: 'Check both and try again; after repeated failures, wait (rate limited).' },
  { code: 'invalid_refresh_token', status: 401, title: 'Invalid refresh token', when: 'The refresh token is unknown, expired or revoked (for example after signing out).', todo: 'Sign in again.' },
  { code: 'refresh_token_reused', status: 401, title: 'Refresh token reused', when: 'A refresh token was used a second time: a sign that it leaked, so every token of that sign-in is revoked.', todo: 'Sign in again; keep only the newest refresh token.' },
  { code: 'account_unavailable', status: 401, title: 'Account unavailable', when: 'The account was deactivated or deleted after the token was issued.', todo: 'Ask an administrator to reactivate the account.' },
  { code: 'missing_token', status: 401, title: 'Missing token', when: 'A WebSocket was opened without an access token.', todo: 'Send it as `Sec-WebSocket-Protocol: bearer, <token>` or as `?token=`.' },
  { code: 'invalid_token', status: 401, title: 'Invalid token', when: 'The access token sent to open a WebSocket is not valid.', todo: 'Sign in again and use the new access token.' },
  { code: 'token_expired', status: 401, title: 'Token expired', when: 'The access token sent to open a WebSocket has expired.', todo: 'Refresh the token (`POST /api/auth/refresh/`) and connect again.' },
  { code: 'forbidden', status: 403, title: 'Forbidden', when: 'You may see this resource but not perform this action on it.', todo: 'Sign in as the user who may (the owner, or an administrator).' },
  { code: 'wrong_role', status: 403, title: 'Wrong role', when: 'The operation is for mentors only, or for learners only.', todo: 'Use an account with the role the operation names in `detail`.' },
  { code: 'origin_not_allowed', status: 403, title: 'Origin not allowed', when: 'A browser page on an origin the server does not list in `CORS_ORIGINS` called the API or opened a WebSocket.', todo: 'Add the page\'s origin (scheme, host and port) to `CORS_ORIGINS` on the server, or serve the page from an allowed origin.' },
  { code: 'self_lockout', status: 409, title: 'Self lock-out', when: 'An administrator tried to deactivate their own account or remove their own admin rights.', todo: 'Ask another administrator to do it.' },

  // ------------------------------------------------------------------ data rules
  { code: 'conflict', status: 409, title: 'Conflict', when: 'The request conflicts with the current state of the resource.', todo: 'Reload the resource and decide again.' },
  { code: 'username_taken', status: 409, title: 'Username taken', when: 'Another account already uses this username (compared without case).', todo: 'Choose another username.' },
  { code: 'email_taken', status: 409, title: 'Email taken', when: 'Another account already uses this email address.', todo: 'Use another address, or sign in to the existing account.' },
  { code: 'duplicate', status: 409, title: 'Duplicate', when: 'A record with these values already exists.', todo: 'Reload; the record you meant to create is probably there.' },
  { code: 'reference_conflict', status: 409, title: 'Reference conflict', when: 'A referenced record does not exist, or a record is still in use by others.', todo: 'Reload the records involved and retry.' },
  { code: 'constraint_violation', status: 409, title: 'Constraint violation', when: 'The change would break a data rule of the database.', todo: 'Read `detail`, reload and retry with consistent values.' },
  { code: 'invalid_value', status: 400, title: 'Invalid value', when: 'A value is not acceptable to the database (out of range or of the wrong kind).', todo: 'Correct the value and retry.' },
  { code: 'missing_value', status: 400, title: 'Missing value', when: 'A required value is missing.', todo: 'Send every required field.' },
  { code: 'unprocessable', status: 422, title: 'Unprocessable content', when: 'The request is well-formed but cannot be carried out as asked.', todo: 'Read `detail` and change the request.' },
  { code: 'currency_locked', status: 409, title: 'Currency locked', when: 'A mentor tried to change their currency while sessions, earnings or payouts exist in the current one.', todo: 'Keep the currency, or settle and close the existing work first.' },
  { code: 'mentor_has_open_work', status: 409, title: 'Mentor has open work', when: 'A mentor with open sessions or pending requests was to be deactivated or turned into a learner.', todo: 'Cancel or finish the sessions and answer the requests first.' },

  // ------------------------------------------------------------------ sessions
  { code: 'session_wrong_status', status: 409, title: 'Wrong session status', when: 'The session\'s status does not allow this action (for example publishing a cancelled session).', todo: 'Reload the session; `detail` names the statuses that allow it.' },
  { code: 'start_in_past', status: 409, title: 'Start in the past', when: 'A draft whose start time has passed was to be published.', todo: 'Move the start time into the future, then publish.' },
  { code: 'price_locked', status: 409, title: 'Price locked', when: 'The price of a session with live bookings was to be changed.', todo: 'Keep the price, or cancel the session and create a new one.' },
  { code: 'capacity_below_participants', status: 409, title: 'Capacity below participants', when: 'The capacity was to be set below the number of learners already booked.', todo: 'Choose a capacity at least the current participant count.' },
  { code: 'ready_window_not_open', status: 409, title: 'Readiness not open yet', when: '"I\'m Ready" was sent before the readiness window opens (`READY_LEAD_MINUTES` before the start). A session\'s `ready_opens_at` says when.', todo: 'Wait until `ready_opens_at`, then mark ready.' },
  { code: 'ready_window_closed', status: 409, title: 'Readiness closed', when: '"I\'m Ready" was sent after the session ended.', todo: 'Nothing to do: the session is over.' },
  { code: 'mentor_not_ready', status: 409, title: 'Mentor not ready', when: 'The class was to be started before the mentor marked ready.', todo: 'The mentor marks ready first ("I\'m Ready").' },
  { code: 'no_learner_ready', status: 409, title: 'No learner ready', when: 'The class was to be started before any booked learner confirmed readiness.', todo: 'Wait until a learner confirms; `ready_learner_count` shows it.' },
  { code: 'session_ended', status: 409, title: 'Session ended', when: 'The session is past its end time: it can no longer be started or joined.', todo: 'Nothing to do: create a new session if needed.' },

  // ------------------------------------------------------------------ bookings, requests, feedback, payouts
  { code: 'session_not_open', status: 409, title: 'Session not open', when: 'A booking was attempted on a session that is not scheduled or already started.', todo: 'Book a scheduled, future session.' },
  { code: 'session_full', status: 409, title: 'Session full', when: 'Every seat of the session is taken.', todo: 'Choose another session, or ask the mentor for more capacity.' },
  { code: 'already_booked', status: 409, title: 'Already booked', when: 'You already hold a live booking on this session.', todo: 'Nothing to do; your booking is in `my_booking` of the session.' },
  { code: 'session_started', status: 409, title: 'Session started', when: 'A booking was to be cancelled after the session started (or stopped being scheduled).', todo: 'Nothing to do; contact the mentor if needed.' },
  { code: 'booking_not_active', status: 409, title: 'Booking not active', when: 'The booking was already cancelled (or attended), so it cannot be cancelled or marked ready.', todo: 'Reload your bookings.' },
  { code: 'request_not_pending', status: 409, title: 'Request not pending', when: 'A mentoring request was already accepted, declined or withdrawn.', todo: 'Reload the request to see its answer.' },
  { code: 'session_not_completed', status: 409, title: 'Session not completed', when: 'Feedback was sent for a session that has not been completed.', todo: 'Send feedback after the class ends.' },
  { code: 'feedback_exists', status: 409, title: 'Feedback exists', when: 'You already left feedback for this session.', todo: 'Nothing to do; one feedback per learner and session.' },
  { code: 'insufficient_balance', status: 409, title: 'Insufficient balance', when: 'The payout asked for more than the available balance (`detail` says how much is available).', todo: 'Request at most the available amount shown on the Earnings tab.' },
  { code: 'idempotency_key_reused', status: 409, title: 'Idempotency key reused', when: 'An `Idempotency-Key` was reused for a payout request with a different amount or note.', todo: 'Use a new key for a new request; reuse a key only to retry the same request.' },
  { code: 'invalid_payout_transition', status: 409, title: 'Invalid payout transition', when: 'An administrator asked for a payout status change that its current status does not allow (for example paying a rejected payout).', todo: 'Reload the payout; pending → approved or rejected, approved → paid.' },
  // ------------------------------------------------------------------ platform, integrity and attendance
  { code: 'insufficient_scope', status: 403, title: 'Insufficient scope', when: 'The credential (an API key, or a host platform\'s `dashboard`/`booking`/`room` user token) does not hold a scope this operation or channel accepts; `detail` and `WWW-Authenticate` name the scopes that would.', todo: 'Use a credential with one of the named scopes: a key created with that scope, or a `full` user token.' },
  { code: 'token_revoked', status: 401, title: 'Token revoked', when: 'The access token belongs to a sign-in that was signed out (logout, or a refresh token presented twice).', todo: 'Sign in again.' },
  { code: 'password_login_unavailable', status: 401, title: 'Password sign-in unavailable', when: 'The account was provisioned by a host platform and has no password.', todo: 'Sign in through the host platform, which mints tokens for its users.' },
  { code: 'invalid_api_key', status: 401, title: 'Invalid API key', when: 'The `mdk_` key is unknown, malformed or revoked.', todo: 'Check the key, or ask an administrator for a new one.' },
  { code: 'api_key_expired', status: 401, title: 'API key expired', when: 'The API key passed its `expires_at`.', todo: 'Ask an administrator for a new key and replace the old one.' },
  { code: 'api_key_owner_unavailable', status: 403, title: 'API key owner unavailable', when: 'The administrator who created this API key no longer exists, so nothing can act in their name.', todo: 'Have a current administrator create a new key.' },
  { code: 'account_deactivated', status: 409, title: 'Account deactivated', when: 'The provisioned account is deactivated: it cannot be changed and no token is minted for it.', todo: 'Provision the user under a new external id, or ask an administrator to reactivate the account.' },
  { code: 'duplicate_host', status: 400, title: 'Duplicate Host header', when: 'The request carries more than one `Host` header.', todo: 'Send exactly one `Host` header.' },
  { code: 'image_too_large', status: 400, title: 'Image too large', when: 'The uploaded picture\'s canvas (width × height) exceeds the server\'s pixel limit (`IMAGE_MAX_PIXELS`, 25 MP by default).', todo: 'Upload a smaller picture; a few megapixels are plenty for a profile picture.' },
  { code: 'mentor_inactive', status: 409, title: 'Mentor inactive', when: 'The session\'s mentor account is deactivated, so the session cannot be booked.', todo: 'Choose a session of another mentor.' },
  { code: 'not_attended', status: 409, title: 'Not attended', when: 'Only learners who were in the session\'s room may rate it; your booking is `no_show` (or the session has not completed).', todo: 'Nothing to do for this session; join the room next time.' },
  { code: 'too_many_pending_requests', status: 409, title: 'Too many pending requests', when: 'You already have the most pending session requests one learner may have with this mentor (`REQUEST_MAX_PENDING`).', todo: 'Wait for the mentor to answer, or cancel one of your pending requests.' },
  { code: 'reschedule_notice', status: 409, title: 'Reschedule notice', when: 'The session has booked learners, and its current or new start is closer than the notice period (`RESCHEDULE_NOTICE_MINUTES`, 24 hours by default).', todo: 'Move it further ahead, cancel the session instead, or ask the learners to cancel their bookings first.' },
  { code: 'url_scheme_not_allowed', status: 400, title: 'URL scheme not allowed', when: 'A webhook URL does not use `https:` (and the server does not set `WEBHOOK_ALLOW_HTTP=true`).', todo: 'Use an `https:` URL.' },
  { code: 'address_not_allowed', status: 400, title: 'Address not allowed', when: 'A webhook URL names a loopback, private, link-local or otherwise non-public address (and the server does not set `WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`).', todo: 'Use a URL that resolves to a public address.' },
  { code: 'url_invalid', status: 400, title: 'Invalid URL', when: 'A webhook URL cannot be parsed, or carries credentials.', todo: 'Send an absolute `https:` URL without a user name or password.' },
];

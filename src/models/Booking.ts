import type { Knex } from 'knex';
import type { Modifiers, QueryBuilder, RelationMappings } from 'objection';
import { BaseModel } from './BaseModel.ts';
import { Session, type BookingStatus } from './Session.ts';
import { User } from './User.ts';

export type { BookingStatus };

/**
 * "Live" bookings hold a seat: every status but this one. The single definition behind the
 * `live` modifier (objection), liveBookings / onLiveBooking (raw knex reads in src/views) and
 * isLiveBooking (loaded rows).
 */
export const CANCELLED_BOOKING_STATUS = 'cancelled' satisfies BookingStatus;

/** The same rule for a loaded booking. */
export const isLiveBooking = (booking: { status: BookingStatus }): boolean => booking.status !== CANCELLED_BOOKING_STATUS;

/** Anything with knex's `whereNot(column, value)`: a knex or an objection query builder. */
interface WhereNot {
  whereNot(column: string, value: string): unknown;
}

/**
 * Keeps live bookings only: `NOT <status column> = 'cancelled'`. `alias` is the bookings table's
 * alias (or name) in the query, left out when the column needs no qualifier.
 */
export function liveBookings<Q extends WhereNot>(qb: Q, alias?: string): Q {
  qb.whereNot(alias ? `${alias}.status` : 'status', CANCELLED_BOOKING_STATUS);
  return qb;
}

/** The same condition inside a join: `AND <alias>.status <> 'cancelled'`, for a left join that keeps sessions without live bookings. */
export function onLiveBooking(join: Knex.JoinClause, alias: string): Knex.JoinClause {
  return join.andOnVal(`${alias}.status`, '<>', CANCELLED_BOOKING_STATUS);
}

export class Booking extends BaseModel {
  static override tableName = 'bookings';
  static override timeColumns = ['learner_ready_at', 'joined_at', 'cancelled_at', 'created_at', 'updated_at'];
  static override insertTimestamps = ['created_at'];
  static override hasUpdatedAt = true;

  id!: number;
  session_id!: number;
  learner_id!: number;
  status!: BookingStatus;
  payment_amount_cents!: number;
  currency!: string;
  learner_ready_at!: Date | null;
  joined_at!: Date | null;
  cancelled_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;

  session?: Session;
  learner?: User;

  static override modifiers: Modifiers<QueryBuilder<Booking>> = {
    /** Bookings that hold a seat: every status but `cancelled`. */
    live(query) {
      liveBookings(query, query.tableRefFor(Booking));
    },
  };

  static override get relationMappings(): RelationMappings {
    return {
      session: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => Session,
        join: { from: 'bookings.session_id', to: 'sessions.id' },
      },
      learner: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => User,
        join: { from: 'bookings.learner_id', to: 'users.id' },
      },
    };
  }
}

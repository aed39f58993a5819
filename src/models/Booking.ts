import type { Modifiers, QueryBuilder, RelationMappings } from 'objection';
import { BaseModel } from './BaseModel.ts';
import { Session, type BookingStatus } from './Session.ts';
import { User } from './User.ts';

export type { BookingStatus };

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
      query.whereNot(`${query.tableRefFor(Booking)}.status`, 'cancelled');
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

import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel.ts';
import type { Booking } from './Booking.ts';
import { User } from './User.ts';

export type SessionStatus = 'draft' | 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

/** A mentoring session ("class"). `booked_count` mirrors the live bookings and is CHECKed ≤ capacity. */
export class Session extends BaseModel {
  static override tableName = 'sessions';
  static override timeColumns = [
    'start_time',
    'end_time',
    'mentor_ready_at',
    'started_at',
    'ended_at',
    'cancelled_at',
    'created_at',
    'updated_at',
  ];
  static override insertTimestamps = ['created_at'];
  static override hasUpdatedAt = true;

  id!: number;
  mentor_id!: number;
  title!: string;
  description!: string;
  start_time!: Date;
  duration!: number;
  end_time!: Date;
  status!: SessionStatus;
  price_cents!: number | null;
  currency!: string;
  capacity!: number;
  booked_count!: number;
  mentor_ready_at!: Date | null;
  started_at!: Date | null;
  ended_at!: Date | null;
  cancelled_at!: Date | null;
  cancel_reason!: string | null;
  created_at!: Date;
  updated_at!: Date;

  mentor?: User;
  /** The caller's booking on this session, attached by `loadSessionForUser` for policies (not a column). */
  viewerBooking?: Booking;

  /** Not persisted: attached per request. */
  override $formatDatabaseJson(json: Record<string, unknown>) {
    const formatted = super.$formatDatabaseJson(json);
    delete formatted.viewerBooking;
    return formatted;
  }

  static override get relationMappings(): RelationMappings {
    return {
      mentor: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => User,
        join: { from: 'sessions.mentor_id', to: 'users.id' },
      },
    };
  }
}

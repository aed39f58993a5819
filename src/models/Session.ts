import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel.ts';
import { User } from './User.ts';

export type SessionStatus = 'draft' | 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

/** A mentoring session ("class"). `booked_count` mirrors the live bookings and is CHECKed ≤ capacity. */
export type BookingStatus = 'booked' | 'attended' | 'no_show' | 'cancelled';

/**
 * What the access rules read of the caller's own booking on a session: a `Booking` row, described
 * here by its fields so that the two models do not import each other (Booking → Session only).
 */
export interface ViewerBooking {
  id: number;
  status: BookingStatus;
  joined_at: Date | null;
}

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
  viewerBooking?: ViewerBooking;

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

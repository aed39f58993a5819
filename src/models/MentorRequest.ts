import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel.ts';

export type RequestStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';

/** A learner's request for a session with a mentor (table `requests`). */
export class MentorRequest extends BaseModel {
  static override tableName = 'requests';
  static override timeColumns = ['responded_at', 'created_at', 'updated_at'];
  static override insertTimestamps = ['created_at'];
  static override hasUpdatedAt = true;
  static override get jsonAttributes() {
    return ['preferred_times'];
  }

  id!: number;
  learner_id!: number;
  mentor_id!: number;
  topic!: string;
  message!: string;
  /** ISO-8601 strings, as the learner sent them (normalised to UTC). */
  preferred_times!: string[];
  status!: RequestStatus;
  session_id!: number | null;
  decline_reason!: string | null;
  responded_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;

  learner?: User;
  mentor?: User;

  static override get relationMappings(): RelationMappings {
    return {
      learner: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => User,
        join: { from: 'requests.learner_id', to: 'users.id' },
      },
      mentor: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => User,
        join: { from: 'requests.mentor_id', to: 'users.id' },
      },
      session: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => Session,
        join: { from: 'requests.session_id', to: 'sessions.id' },
      },
    };
  }
}

import { User } from './User.ts';
import { Session } from './Session.ts';

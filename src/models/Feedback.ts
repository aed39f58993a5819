import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel.ts';

export class Feedback extends BaseModel {
  static override tableName = 'feedback';
  static override timeColumns = ['created_at'];
  static override insertTimestamps = ['created_at'];

  id!: number;
  session_id!: number;
  learner_id!: number;
  rating!: number;
  comment!: string | null;
  created_at!: Date;

  learner?: User;

  static override get relationMappings(): RelationMappings {
    return {
      session: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => Session,
        join: { from: 'feedback.session_id', to: 'sessions.id' },
      },
      learner: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => User,
        join: { from: 'feedback.learner_id', to: 'users.id' },
      },
    };
  }
}

import { User } from './User.ts';
import { Session } from './Session.ts';

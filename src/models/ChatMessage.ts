import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel.ts';

export class ChatMessage extends BaseModel {
  static override tableName = 'chat_messages';
  static override timeColumns = ['created_at'];
  static override insertTimestamps = ['created_at'];

  id!: number;
  session_id!: number;
  sender_id!: number;
  body!: string;
  created_at!: Date;

  sender?: User;

  static override get relationMappings(): RelationMappings {
    return {
      sender: {
        relation: BaseModel.BelongsToOneRelation,
        modelClass: () => User,
        join: { from: 'chat_messages.sender_id', to: 'users.id' },
      },
    };
  }
}

import { User } from './User.ts';

import { BaseModel } from './BaseModel.ts';

/** One issued refresh token. Tokens of one login form a family; reusing a spent one revokes it all. */
export class RefreshToken extends BaseModel {
  static override tableName = 'refresh_tokens';
  static override timeColumns = ['expires_at', 'used_at', 'revoked_at', 'created_at'];
  static override insertTimestamps = ['created_at'];

  id!: string;
  user_id!: number;
  family_id!: string;
  expires_at!: Date;
  used_at!: Date | null;
  revoked_at!: Date | null;
  replaced_by!: string | null;
  created_at!: Date;
}
